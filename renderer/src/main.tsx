// Renderer entry: styles, i18n, the store's bridge wiring, then the React tree.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import './i18n';
import { boot } from './store/boot';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
void boot();
