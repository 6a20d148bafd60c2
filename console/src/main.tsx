import { render } from 'preact';
import { App } from './app';
import { language } from './i18n';

document.documentElement.lang = language.value;
// The page's own "Loading…" is removed first: rendered over, it stayed below the console on every screen.
const root = document.getElementById('app')!;
root.replaceChildren();
render(<App />, root);
