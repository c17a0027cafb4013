/** Where the CLI runs: CI systems get plain lines, GitHub Actions also gets annotations. */
export interface CliEnvironment {
  ci: boolean;
  githubActions: boolean;
  tty: boolean;
}

export function detectEnvironment(env: NodeJS.ProcessEnv = process.env, stream: NodeJS.WriteStream = process.stderr): CliEnvironment {
  const ci = Boolean(env["CI"] && env["CI"] !== "false") || Boolean(env["GITHUB_ACTIONS"]);
  return { ci, githubActions: env["GITHUB_ACTIONS"] === "true", tty: Boolean(stream.isTTY) && !ci };
}
