/** What the hello fixture's `hello-server --list-devices` prints (llama-server's format) without and with its stub runtime. */
export const NO_DEVICE = "Available devices:\n  (none)";
export const STUB_DEVICE = "Available devices:\n  HelloGPU0: Hello stub GPU (1024 MiB, 1000 MiB free)";
