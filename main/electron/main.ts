// Electron entry, bundled to dist/electron/main.cjs: picks the host service and starts the app lifecycle.
// Invariant: nothing runs here but the start; every guard lives in lifecycle.ts and the modules it installs.

import { createHostService } from '../host/host-service.ts';
import { startApp } from './lifecycle.ts';

startApp(createHostService);
