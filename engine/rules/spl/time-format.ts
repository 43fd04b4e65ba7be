// strftime for SPL `convert ctime()` and `strftime()`: always UTC, so the same case renders the same bytes
// on every machine (Splunk would use the search head's zone; offline we have none to honour).

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const pad = (n: number, w = 2, c = '0') => String(n).padStart(w, c);

export function strftime(epochSec: number, fmt: string): string {
  const d = new Date(epochSec * 1000);
  if (Number.isNaN(d.getTime())) return String(epochSec);
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%' || i === fmt.length - 1) {
      out += c;
      continue;
    }
    let k = fmt[++i]!;
    // Splunk subsecond specifiers: %3N / %6N / %Q
    let digits = 0;
    if (/[0-9]/.test(k) && fmt[i + 1] === 'N') {
      digits = Number(k);
      k = fmt[++i]!;
    }
    switch (k) {
      case 'Y': out += pad(d.getUTCFullYear(), 4); break;
      case 'y': out += pad(d.getUTCFullYear() % 100); break;
      case 'm': out += pad(d.getUTCMonth() + 1); break;
      case 'd': out += pad(d.getUTCDate()); break;
      case 'e': out += pad(d.getUTCDate(), 2, ' '); break;
      case 'H': out += pad(d.getUTCHours()); break;
      case 'I': out += pad(((d.getUTCHours() + 11) % 12) + 1); break;
      case 'M': out += pad(d.getUTCMinutes()); break;
      case 'S': out += pad(d.getUTCSeconds()); break;
      case 'p': out += d.getUTCHours() < 12 ? 'AM' : 'PM'; break;
      case 'b': out += MONTHS[d.getUTCMonth()]; break;
      case 'a': out += DAYS[d.getUTCDay()]; break;
      case 'j': {
        const start = Date.UTC(d.getUTCFullYear(), 0, 1);
        out += pad(Math.floor((d.getTime() - start) / 86_400_000) + 1, 3);
        break;
      }
      case 'T': out += `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`; break;
      case 'F': out += `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`; break;
      case 'z': out += '+0000'; break;
      case 'Z': out += 'UTC'; break;
      case 's': out += String(Math.floor(epochSec)); break;
      case 'N': {
        const frac = epochSec - Math.floor(epochSec);
        const n = digits || 3;
        out += String(Math.floor(frac * 10 ** n + 1e-6)).padStart(n, '0').slice(0, n);
        break;
      }
      case 'Q': out += pad(d.getUTCMilliseconds(), 3); break;
      case '%': out += '%'; break;
      default: out += '%' + k;
    }
  }
  return out;
}
