// Builds the web view's page: web/src/app.js and its CSS, bundled and
// minified by esbuild, into OUT/index.html, OUT/assets/app.js and
// OUT/assets/app.css (docs/web.md). Every package, esbuild itself
// included, comes from NM, the node_modules that `npm ci` filled from
// web/package-lock.json (the build system runs it in the build folder).
//
//   node web/build.mjs --out OUTDIR --node-modules NM [--no-minify]
//
// --no-minify keeps the names (for a profile of the page); the build system never passes it.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = {out: '', nodeModules: path.join(here, 'node_modules'), minify: true};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    if (a === '--out') args.out = argv[++i];
    else if (a === '--node-modules') args.nodeModules = argv[++i];
    else if (a === '--no-minify') args.minify = false;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node web/build.mjs --out OUTDIR [--node-modules NM] [--no-minify]');
      process.exit(0);
    } else {
      console.error(`build.mjs: unknown argument ${a}`);
      process.exit(64);
    }
  }
  if (!args.out) {
    console.error('build.mjs: --out OUTDIR is required');
    process.exit(64);
  }
  return {out: path.resolve(args.out), nodeModules: path.resolve(args.nodeModules), minify: args.minify};
}

// The page may load only its own two files: no inline script or style, no
// other origin (the server's Content-Security-Policy forbids them anyway).
function checkHtml(html) {
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  for (const [, attrs, body] of scripts) {
    if (body.trim() || !/src="\/assets\/app\.js"/.test(attrs)) throw new Error('index.html: a script other than /assets/app.js');
  }
  if (/<style\b/i.test(html) || /\sstyle=/i.test(html)) throw new Error('index.html: inline style');
  if (/\son[a-z]+=/i.test(html)) throw new Error('index.html: inline event handler');
  if (/(?:src|href)="(?:https?:)?\/\//i.test(html)) throw new Error('index.html: names another origin');
}

async function main() {
  const {out, nodeModules, minify} = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(nodeModules, 'esbuild'))) {
    console.error(`build.mjs: no esbuild in ${nodeModules} (run npm ci there with web/package-lock.json)`);
    process.exit(66);
  }
  const esbuild = createRequire(path.join(nodeModules, 'package.json'))(path.join(nodeModules, 'esbuild'));
  const html = fs.readFileSync(path.join(here, 'src', 'index.html'), 'utf8');
  checkHtml(html);
  // A fresh folder: every file in it is embedded into the binary, so a file
  // left from an older build must not stay.
  fs.rmSync(out, {recursive: true, force: true});
  fs.mkdirSync(path.join(out, 'assets'), {recursive: true});
  const result = await esbuild.build({
    absWorkingDir: here,
    entryPoints: [path.join(here, 'src', 'app.js')],
    bundle: true,
    minify,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    outfile: path.join(out, 'assets', 'app.js'),
    nodePaths: [nodeModules],
    define: {'process.env.NODE_ENV': '"production"'},
    legalComments: 'eof',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  });
  fs.writeFileSync(path.join(out, 'index.html'), html);
  for (const name of ['index.html', 'assets/app.js', 'assets/app.css']) {
    const file = path.join(out, name);
    if (!fs.existsSync(file)) throw new Error(`build.mjs: ${name} was not written`);
    console.log(`build.mjs: ${name} ${fs.statSync(file).size} bytes`);
  }
  const extra = Object.keys(result.metafile.outputs).filter((f) => !/assets\/app\.(js|css)$/.test(f));
  if (extra.length) throw new Error(`build.mjs: unexpected outputs ${extra.join(', ')}`);
}

main().catch((e) => {
  console.error(e && e.message ? e.message : e);
  process.exit(1);
});
