/** The page's entry: take the token from the address, then render the dashboard. */
import { render } from 'preact';
import { adoptToken, Api } from './api.ts';
import { App } from './app.tsx';
import './style.css';

const token = adoptToken(location, sessionStorage, history);
render(<App api={new Api(token)} />, document.getElementById('app') as HTMLElement);
