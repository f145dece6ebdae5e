// The tray icon that keeps uploads running while the window is closed.

import { Menu, Tray, nativeImage } from 'electron';

export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

export function createTray(iconPath: string, actions: TrayActions): Tray {
  const image = nativeImage.createFromPath(iconPath);
  // macOS menu bar icons are template images (drawn in the bar's own colour).
  if (process.platform === 'darwin') image.setTemplateImage(true);
  const tray = new Tray(image.resize({ width: 16, height: 16 }));
  tray.setToolTip('VOD Bulk Uploader');
  tray.setContextMenu(Menu.buildFromTemplate([
    { label: 'Show VOD Bulk Uploader', click: actions.show },
    { type: 'separator' },
    { label: 'Pause all', click: actions.pauseAll },
    { label: 'Resume all', click: actions.resumeAll },
    { type: 'separator' },
    { label: 'Quit (uploads resume next time)', click: actions.quit },
  ]));
  tray.on('click', actions.show);
  return tray;
}

export function trayTooltip(activeJobs: number, progress: number): string {
  if (activeJobs === 0) return 'VOD Bulk Uploader — idle';
  return `VOD Bulk Uploader — ${activeJobs} active, ${Math.floor(progress * 100)}%`;
}
