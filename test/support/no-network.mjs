// Test preload (node --import): records and refuses every outbound network attempt of the process and of
// its worker threads (which inherit --import). Loopback connects and listens are allowed: browser mode
// serves 127.0.0.1. Nothing is sent: the refusal happens before any DNS query or socket connect.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { threadId } from 'node:worker_threads';

const logFile = process.env.HOPSCOPE_NET_LOG;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+|localhost)$/i;
const record = (kind, target) => {
  if (logFile) appendFileSync(logFile, JSON.stringify({ kind, target: String(target), thread: threadId }) + '\n');
};
record('loaded', process.argv[1] ?? '');

function refuse(kind, target) {
  record(kind, target);
  throw new Error(`outbound network attempt refused by the test harness: ${kind} ${target}`);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const opts = typeof first === 'object' && first !== null ? first : { port: first, host: typeof args[1] === 'string' ? args[1] : undefined };
  if (opts.path === undefined) {
    const host = opts.host ?? 'localhost';
    if (!LOOPBACK.test(host)) refuse('connect', `${host}:${opts.port}`);
  }
  return connect.apply(this, args);
};

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const host = typeof first === 'object' && first !== null ? first.host : typeof args[1] === 'string' ? args[1] : undefined;
  const path = typeof first === 'object' && first !== null ? first.path : typeof first === 'string' ? first : undefined;
  if (path === undefined && (host === undefined || !LOOPBACK.test(host))) refuse('listen', host ?? '(all interfaces)');
  return listen.apply(this, args);
};

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse']) {
  const orig = dns[name];
  dns[name] = function (host, ...rest) {
    if (name === 'lookup' && LOOPBACK.test(String(host))) return orig.call(this, host, ...rest);
    refuse(`dns.${name}`, host);
  };
  const porig = dns.promises[name];
  if (porig) {
    dns.promises[name] = function (host, ...rest) {
      if (name === 'lookup' && LOOPBACK.test(String(host))) return porig.call(this, host, ...rest);
      refuse(`dns.promises.${name}`, host);
    };
  }
}
dgram.createSocket = (...args) => refuse('udp', JSON.stringify(args[0]));
