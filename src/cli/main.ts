/**
 * Node entry of the headless CLI (README.md, "Headless CLI"):
 *   npm run cli -- run <file.json | experiment URL> --out DIR [--steps N] [--backend webgpu|cpu]
 *                      [--save-weights] [--save-data]
 *   npm run cli -- refine DIR --run I [--tau 0.1] --out FILE.json
 *   npm run cli -- export torch <file.json | experiment URL> --out DIR
 *   npm run cli -- list
 */
import { runCli } from './cli';

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
// Let pending writes flush; the WebGPU device's handles can keep Node alive, so exit explicitly.
process.exitCode = code;
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
