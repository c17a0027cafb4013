/** Files of a new registry repository, after the design's "Repository Structure". */
export const DEFAULT_BASE_URL = "https://github.com/lablup/backend.ai-engine-registry/releases/download";

export function releaseWorkflow(): string {
  return `# Release Engine Package: publish built .baiengine packages as a GitHub Release and record them in engines.json.
name: Release Engine Package

on:
  workflow_dispatch:
    inputs:
      engine_id:
        description: Engine ID (e.g. llama-cpp)
        required: true
      version:
        description: Version (e.g. b4618)
        required: true
      build_run_id:
        description: Run id of the build workflow whose artifacts hold the packages
        required: true
      prerelease:
        description: Pre-release (published under engines[].prerelease; stable users keep latestVersion)
        type: boolean
        default: false

permissions:
  contents: write
  actions: read

concurrency:
  group: engine-registry
  cancel-in-progress: false

jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 24
      - name: Download build artifacts
        uses: actions/download-artifact@v4
        with:
          run-id: \${{ inputs.build_run_id }}
          github-token: \${{ github.token }}
          pattern: "\${{ inputs.engine_id }}-\${{ inputs.version }}-*"
          path: packages
      - name: Update engines.json (verifies every package first)
        run: >-
          npx --yes --package @baiengine/registry-cli engine-registry update
          --engine "\${{ inputs.engine_id }}" --version "\${{ inputs.version }}"
          --packages-dir packages \${{ inputs.prerelease && '--prerelease' || '' }}
      - name: Sign the metadata (when the registry has a trust root; keys from secrets, never the root keys)
        if: hashFiles('metadata/root.json') != ''
        env:
          BAIENGINE_TUF_TARGETS_KEY: \${{ secrets.BAIENGINE_TUF_TARGETS_KEY }}
          BAIENGINE_TUF_SNAPSHOT_KEY: \${{ secrets.BAIENGINE_TUF_SNAPSHOT_KEY }}
          BAIENGINE_TUF_TIMESTAMP_KEY: \${{ secrets.BAIENGINE_TUF_TIMESTAMP_KEY }}
        run: npx --yes --package @baiengine/registry-cli engine-registry sign --registry engines.json --metadata-dir metadata
      - name: Create GitHub Release
        env:
          GH_TOKEN: \${{ github.token }}
          TAG: \${{ inputs.engine_id }}-v\${{ inputs.version }}
        run: |
          find packages -name '*.baiengine' -print0 | xargs -0 gh release create "$TAG" --title "$TAG" \${{ inputs.prerelease && '--prerelease' || '' }}
      - name: Check the published URLs
        run: npx --yes --package @baiengine/registry-cli engine-registry validate --check-urls
      - name: Commit engines.json
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          git add engines.json
          if [ -d metadata ]; then git add metadata; fi
          git diff --cached --quiet || git commit -m "release: \${{ inputs.engine_id }} \${{ inputs.version }}"
          git push
`;
}

/**
 * The scheduled re-signing of the TUF timestamp: every six hours (its default expiry is a day, so
 * three missed runs still leave it valid), and of the snapshot when it would expire within three days.
 * It does nothing in a registry without metadata/root.json.
 */
export function timestampWorkflow(): string {
  return `# Re-sign the TUF timestamp so a healthy registry never looks frozen to the app (metadata/timestamp.json).
name: Timestamp

on:
  schedule:
    - cron: "17 */6 * * *"
  workflow_dispatch:

permissions:
  contents: write

concurrency:
  group: engine-registry
  cancel-in-progress: false

jobs:
  timestamp:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 24
      - name: Re-sign the timestamp (and a snapshot about to expire)
        if: hashFiles('metadata/root.json') != ''
        env:
          BAIENGINE_TUF_TIMESTAMP_KEY: \${{ secrets.BAIENGINE_TUF_TIMESTAMP_KEY }}
          BAIENGINE_TUF_SNAPSHOT_KEY: \${{ secrets.BAIENGINE_TUF_SNAPSHOT_KEY }}
        run: npx --yes --package @baiengine/registry-cli engine-registry trust timestamp --metadata-dir metadata
      - name: Commit the metadata
        if: hashFiles('metadata/root.json') != ''
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          git add metadata
          git diff --cached --quiet || git commit -m "metadata: re-sign the timestamp"
          git push
`;
}

export function readme(baseUrl: string): string {
  return `# Backend.AI engine registry

\`engines.json\` is the index the Backend.AI GO app reads. Packages are downloaded from
\`{baseUrl}/{tag}/{filename}\` with tag \`{engine_id}-v{version}\` (baseUrl: ${baseUrl}).

## Structure

\`\`\`
engines.json                          # registry index (main entry point)
packages/                             # (optional) local package storage: *.baiengine
metadata/                             # (optional) TUF metadata: root, targets, snapshot, timestamp
.github/workflows/release-engine.yml  # release automation (signs when metadata/root.json exists)
.github/workflows/timestamp.yml       # re-signs the TUF timestamp every six hours
\`\`\`

## Signing (TUF)

Optional; once on, the app installs only what these keys signed (\`--trust metadata/1.root.json\`).

\`\`\`bash
npx --package @baiengine/registry-cli engine-registry trust init --metadata-dir metadata --keys-dir ~/registry-keys
\`\`\`

Keep the \`root-*.pem\` keys offline. Store the targets, snapshot and timestamp keys (their PEM text)
as the repository secrets \`BAIENGINE_TUF_TARGETS_KEY\`, \`BAIENGINE_TUF_SNAPSHOT_KEY\` and
\`BAIENGINE_TUF_TIMESTAMP_KEY\`; the release workflow then runs \`engine-registry sign\` and the
timestamp workflow \`engine-registry trust timestamp\`. Replace keys with \`engine-registry trust rotate\`.

## Release

1. Build \`.baiengine\` packages for all platforms (\`{engine_id}-{version}-{os}-{arch}-{accelerator}.baiengine\`).
2. Run the **Release Engine Package** workflow (engine id, version, build run id, pre-release flag), or by hand:

\`\`\`bash
npx --package @baiengine/registry-cli engine-registry update --engine llama-cpp --version b4618 --packages-dir ./packages
gh release create llama-cpp-vb4618 packages/*.baiengine
npx --package @baiengine/registry-cli engine-registry validate --check-urls
git commit -am "release: llama-cpp b4618" && git push
\`\`\`

## Static hosting

\`engine-registry set-base-url https://cdn.example.com/engines\`, then upload the packages under
\`{tag}/{filename}\` there. No app change is needed.
`;
}
