export { serveWeb, type ServeWebOptions, type WebServer } from './server';
