// electron-builder configuration for the desktop packages (AppImage, deb, NSIS, DMG).
// Invariant: offline by construction: no publish provider, no auto-update; fuses lock the binary to our asar (checklist #19).
'use strict';

const ICON = 'resources/icons/icon-512.png';

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.hopscope.app',
  productName: 'Hopscope',
  copyright: 'Copyright © Hopscope contributors',
  directories: { output: 'release', buildResources: 'resources/icons' },
  asar: true,
  // The app bundle: compiled code and the icon. Rules and demo logs ship beside it as plain files (extraResources)
  // so the host and its worker read them with ordinary fs at process.resourcesPath/resources.
  // dist/host is left out: main.cjs bundles the host, and the CLI/browser-mode entries are not part of the desktop app.
  files: ['package.json', 'dist/**/*', '!dist/**/*.map', '!dist/host/**', 'resources/icons/**/*'],
  extraResources: [
    { from: 'resources/rules', to: 'resources/rules', filter: ['**/*'] },
    { from: 'resources/samples', to: 'resources/samples', filter: ['**/*'] },
    // The engine worker thread runs from a plain file; .mjs keeps it ESM without a package.json beside it. Outside the
    // asar its integrity does not cover them: the app checks both against dist/electron/worker-hashes.json (inside the
    // asar, written by scripts/build.mjs) before the host starts a worker (main/electron/worker-integrity.ts).
    { from: 'dist/host/engine-worker.js', to: 'engine/engine-worker.mjs' },
    // Parse workers the engine worker starts for large files (looked for next to it).
    { from: 'dist/host/parse-worker.js', to: 'engine/parse-worker.mjs' },
  ],
  // Never phone home: nothing to publish to, so electron-builder writes no app-update.yml and nothing auto-updates.
  publish: null,
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableCookieEncryption: true,
    onlyLoadAppFromAsar: true,
    enableEmbeddedAsarIntegrityValidation: true,
    // The UI is served from app://, never file:// (checklist #18).
    grantFileProtocolExtraPrivileges: false,
  },
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Utility',
    icon: ICON,
    maintainer: 'Hopscope maintainers <maintainers@hopscope.org>',
    synopsis: 'Offline forensic timeline viewer for process-creation logs',
    desktop: { entry: { Categories: 'Utility;Security;' } },
  },
  deb: { packageCategory: 'utils' },
  win: { target: ['nsis'], icon: ICON },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.developer-tools',
    hardenedRuntime: true,
    gatekeeperAssess: false,
    icon: ICON,
  },
  dmg: { title: 'Hopscope ${version}' },
};
