import { parsePositiveInt, type Rendered } from "@baiengine/cli-kit";
import type { Command } from "commander";
import { DEFAULT_EXPIRY, parseDuration } from "../trust/expiry.js";
import type { RoleName } from "../trust/role-keys.js";

/** `--<role>-expires <duration>`, its default and the reason for it in the help. */
function expires(command: Command, role: RoleName): Command {
  return command.option(`--${role}-expires <duration>`, `${role} expiry (default ${DEFAULT_EXPIRY[role].days}d: ${DEFAULT_EXPIRY[role].why})`, parseDuration(`--${role}-expires`));
}

/**
 * Declares `sign` and `trust init|timestamp|rotate` on the program; as for every command, each
 * command's module is imported only when it runs.
 */
export function declareTrustCommands(program: Command, common: (command: Command) => Command, show: (opts: { json?: boolean }) => (result: Rendered) => void): void {
  expires(expires(expires(common(program.command("sign")), "targets"), "snapshot"), "timestamp")
    .description("sign the index (after update/export): new targets listing engines.json, packages.json and every package, then snapshot, then timestamp")
    .option("--metadata-dir <dir>", "the TUF metadata folder (default: metadata/ beside --registry)")
    .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TARGETS_KEY, _SNAPSHOT_KEY, _TIMESTAMP_KEY)")
    .action(async (opts) => show(opts)(await (await import("../commands/sign.js")).signCommand(opts)));

  const trust = program.command("trust").description("the registry's TUF keys and metadata: init, timestamp, rotate");

  expires(trust.command("init"), "root")
    .description("make the registry's Ed25519 keys (PKCS#8 PEM, mode 0600, never printed) and root.json version 1")
    .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
    .requiredOption("--keys-dir <dir>", "where the private keys are written (keep root keys offline)")
    .option("--root-keys <n>", "root keys to make", parsePositiveInt("--root-keys"))
    .option("--root-threshold <n>", "root signatures needed", parsePositiveInt("--root-threshold"))
    .option("--json", "print one JSON document on stdout")
    .action(async (opts) => show(opts)(await (await import("../commands/trust-init.js")).trustInitCommand(opts)));

  expires(expires(trust.command("timestamp"), "snapshot"), "timestamp")
    .description("re-sign the timestamp (scheduled), and the snapshot when it expires within three days and its key is given")
    .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
    .option("--keys-dir <dir>", "folder of <role>-*.pem keys (or set BAIENGINE_TUF_TIMESTAMP_KEY, _SNAPSHOT_KEY)")
    .option("--json", "print one JSON document on stdout")
    .action(async (opts) => show(opts)(await (await import("../commands/trust-timestamp.js")).trustTimestampCommand(opts)));

  expires(trust.command("rotate"), "root")
    .description("write root N+1 with fresh keys for a role, signed by the current root keys (and the new ones for root)")
    .option("--metadata-dir <dir>", "the TUF metadata folder", "./metadata")
    .requiredOption("--keys-dir <dir>", "where the new keys go, the replaced ones to retired/; the current root keys are read here or from BAIENGINE_TUF_ROOT_KEY")
    .option("--role <role>", "root, targets, snapshot or timestamp", "root")
    .option("--root-keys <n>", "root keys to make (root rotation)", parsePositiveInt("--root-keys"))
    .option("--root-threshold <n>", "root signatures needed (root rotation)", parsePositiveInt("--root-threshold"))
    .option("--json", "print one JSON document on stdout")
    .action(async (opts) => show(opts)(await (await import("../commands/trust-rotate.js")).trustRotateCommand(opts)));
}
