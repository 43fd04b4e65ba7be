// Renderer entry: mounts the App into #app. Everything else is reached through the App's props and the API.
import { mount } from 'svelte';
import App from './App.svelte';
import './theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');
mount(App, { target });
