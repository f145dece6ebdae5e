// The Electron entry point (package.json "main": out/main/electron/main.js).
import { startElectronShell } from './shell';

startElectronShell();
