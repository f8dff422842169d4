// `npm run k8s:render -- [--values my-values.yaml]… [--out dir]`: renders deploy/kubernetes/
// with the given values files over its defaults into <out>/1-migrate.yaml and <out>/2-handoff.yaml,
// and prints the commands that apply them in order (README.md, "Kubernetes").
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderKubernetes, toYaml } from './kubernetes/render.js';
import { assertValidManifests } from './kubernetes/validate.js';
import { loadValuesFiles, ValuesError } from './kubernetes/values.js';

export function renderToDirectory(valuesFiles: string[], outDir: string): { files: string[]; commands: string[] } {
  const values = loadValuesFiles(valuesFiles);
  const rendered = renderKubernetes(values);
  assertValidManifests([...rendered.migrate, ...rendered.app]);
  mkdirSync(outDir, { recursive: true });
  const from = valuesFiles.length ? valuesFiles.map((f) => path.basename(f)).join(', ') : 'the defaults';
  const migrateFile = path.join(outDir, '1-migrate.yaml');
  const appFile = path.join(outDir, '2-handoff.yaml');
  writeFileSync(migrateFile, toYaml(rendered.migrate, `Handoff ${values.image.tag}, part 1 of 2 (rendered from ${from} by npm run k8s:render).\nApply, then wait for job/${rendered.migrationJob} to complete before part 2.`));
  writeFileSync(appFile, toYaml(rendered.app, `Handoff ${values.image.tag}, part 2 of 2 (rendered from ${from} by npm run k8s:render).\nApply after job/${rendered.migrationJob} in part 1 has completed.`));
  const ns = `-n ${values.namespace}`;
  return {
    files: [migrateFile, appFile],
    commands: [
      `kubectl apply ${ns} -f ${migrateFile}`,
      `kubectl wait ${ns} --for=condition=complete --timeout=${values.migrations.activeDeadlineSeconds}s job/${rendered.migrationJob}`,
      `kubectl apply ${ns} -f ${appFile}`,
      `kubectl rollout status ${ns} deployment/${values.name}-gateway`,
    ],
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values: args } = parseArgs({ options: { values: { type: 'string', short: 'f', multiple: true }, out: { type: 'string', short: 'o' } } });
  const out = path.resolve(args.out ?? fileURLToPath(new URL('../../deploy/kubernetes/out', import.meta.url)));
  try {
    const { files, commands } = renderToDirectory((args.values ?? []).map((f) => path.resolve(f)), out);
    console.log(`wrote ${files.join(' and ')}\n\nThen, in order:\n${commands.map((c) => `  ${c}`).join('\n')}`);
  } catch (err) {
    console.error(err instanceof ValuesError ? err.message : err);
    process.exit(1);
  }
}
