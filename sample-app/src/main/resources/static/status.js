// Polls the Actuator tokens endpoint, the recent token events, the demo provider's counts and the signed-in user's
// token card once a second.
// Relative URLs, so the page also works behind a context path or a proxy.
'use strict';

const providersEl = document.getElementById('providers');
const errorEl = document.getElementById('error');

function secondsUntil(instant, now) {
	return instant ? Math.round((Date.parse(instant) - now) / 1000) : null;
}

function text(tag, content, className) {
	const el = document.createElement(tag);
	el.textContent = content;
	if (className) {
		el.className = className;
	}
	return el;
}

function expiryBar(status, now) {
	const bar = document.createElement('div');
	bar.className = 'bar';
	const fill = document.createElement('div');
	if (status.issuedAt && status.expiresAt) {
		const lifetime = Date.parse(status.expiresAt) - Date.parse(status.issuedAt);
		const left = Math.max(0, Date.parse(status.expiresAt) - now);
		fill.style.width = (100 * left / lifetime) + '%';
		if (left === 0) {
			fill.className = 'expired';
		}
		else if (status.nextRefresh && now >= Date.parse(status.nextRefresh)) {
			fill.className = 'stale';
		}
	}
	else {
		fill.style.width = '0%';
	}
	bar.appendChild(fill);
	return bar;
}

function details(status, now) {
	const dl = document.createElement('dl');
	const expiresIn = secondsUntil(status.expiresAt, now);
	const refreshIn = secondsUntil(status.nextRefresh, now);
	const rows = [
		['Grant', status.grant],
		['Expires in', expiresIn === null ? 'no token held' : Math.max(0, expiresIn) + ' s'],
		['Next refresh', refreshIn === null ? '–' : (refreshIn > 0 ? 'in ' + refreshIn + ' s' : 'due now')],
		['Tokens obtained', status.tokensObtained],
		['Failures', status.failures],
		['401 retries', status.unauthorizedRetries],
		['Last error', status.lastError ? status.lastError + ' at ' + new Date(status.lastErrorAt).toLocaleTimeString() : 'none']
	];
	for (const [name, value] of rows) {
		dl.appendChild(text('dt', name));
		dl.appendChild(text('dd', String(value), name === 'Last error' && status.lastError ? 'error' : null));
	}
	return dl;
}

function recentEvents(events) {
	const list = document.createElement('ol');
	for (const event of events || []) {
		list.appendChild(text('li', new Date(event.at).toLocaleTimeString() + ' ' + event.kind + ': ' + event.detail,
			event.kind === 'failed' ? 'error' : null));
	}
	return list;
}

function card(status, events, now) {
	const section = document.createElement('section');
	section.className = 'card';
	section.appendChild(text('h2', status.provider));
	section.appendChild(expiryBar(status, now));
	section.appendChild(details(status, now));
	const refresh = text('button', 'Force refresh');
	refresh.addEventListener('click', () => post('actuator/tokens/' + encodeURIComponent(status.provider)));
	section.appendChild(refresh);
	section.appendChild(text('h3', 'Recent events'));
	section.appendChild(recentEvents(events));
	return section;
}

function renderDemo(stats) {
	const demo = document.getElementById('demo');
	if (!stats) {
		demo.hidden = true;
		return;
	}
	demo.hidden = false;
	document.getElementById('mode').textContent = stats.mode + ' (tokens live ' + stats.tokenLifetimeSeconds + ' s)';
	const body = document.getElementById('counters');
	body.replaceChildren();
	for (const [dialect, counts] of Object.entries(stats.dialects)) {
		const row = document.createElement('tr');
		row.appendChild(text('td', dialect));
		for (const key of ['tokensIssued', 'tokensRefreshed', 'tokensRevoked', 'apiCalls', 'apiRejected']) {
			row.appendChild(text('td', String(counts[key])));
		}
		body.appendChild(row);
	}
	const users = document.getElementById('user-counters');
	users.replaceChildren();
	for (const [user, counts] of Object.entries(stats.users || {})) {
		const row = document.createElement('tr');
		row.appendChild(text('td', user));
		for (const key of ['signIns', 'tokensRefreshed', 'tokensRevoked', 'apiCalls', 'activeTokens']) {
			row.appendChild(text('td', String(counts[key])));
		}
		users.appendChild(row);
	}
}

// The signed-in user's own token: a fingerprint, never the token (the app never sends it to the page).
function renderUser(me, now) {
	document.getElementById('signed-out').hidden = me !== null;
	document.getElementById('signed-in').hidden = me === null;
	if (!me) {
		return;
	}
	document.getElementById('user-name').textContent = me.user + ' at ' + me.provider;
	const expiresIn = secondsUntil(me.expiresAt, now);
	const refreshIn = secondsUntil(me.nextRefresh, now);
	const rows = [
		['Token', me.token + ' (' + me.fingerprint + ')'],
		['Expires in', expiresIn === null ? 'no expiry' : Math.max(0, expiresIn) + ' s'],
		['Renewed from', refreshIn === null ? '–' : (refreshIn > 0 ? 'in ' + refreshIn + ' s' : 'now, at the next call')],
		['Password held', me.passwordHeldHere ? 'by this instance' : 'by another instance']
	];
	const dl = document.getElementById('user-token');
	dl.replaceChildren();
	for (const [name, value] of rows) {
		dl.appendChild(text('dt', name));
		dl.appendChild(text('dd', String(value)));
	}
}

async function me() {
	const response = await fetch('user/me', { headers: { Accept: 'application/json' } });
	return response.ok ? response.json() : null;
}

async function callAsMe() {
	const response = await fetch('user/call', { method: 'POST', headers: { Accept: 'application/json' } });
	const result = document.getElementById('call-result');
	result.textContent = response.ok ? 'The API answered: ' + JSON.stringify(await response.json())
		: 'The call failed: ' + response.status;
	refresh();
}

async function getJson(url) {
	const response = await fetch(url, { headers: { Accept: 'application/json' } });
	if (!response.ok) {
		throw new Error(url + ' answered ' + response.status);
	}
	return response.json();
}

async function post(url) {
	const response = await fetch(url, { method: 'POST' });
	if (!response.ok) {
		showError(url + ' answered ' + response.status);
		return;
	}
	refresh();
}

function showError(message) {
	errorEl.textContent = message;
	errorEl.hidden = !message;
}

async function refresh() {
	try {
		const [tokens, events] = await Promise.all([getJson('actuator/tokens'), getJson('status/events')]);
		// Only the demo profile has a demo provider to show.
		const stats = await getJson('demo/stats').catch(() => null);
		const user = await me();
		const now = Date.now();
		renderUser(user, now);
		document.getElementById('store').textContent = tokens.store;
		providersEl.replaceChildren(...Object.values(tokens.providers).map((status) => card(status, events[status.provider], now)));
		renderDemo(stats);
		showError('');
	}
	catch (failure) {
		showError('Could not read the status: ' + failure.message);
	}
}

document.querySelectorAll('button[data-demo]').forEach((button) =>
	button.addEventListener('click', () => post('demo/' + button.dataset.demo)));
document.getElementById('call-as-me').addEventListener('click', callAsMe);
refresh();
setInterval(refresh, 1000);
