// Bulk annotation UI: "Annotate view" sends one case.annotate bulk request for the table's scope with the chosen
// status, tag (existing tags suggested), comment and star; beyond 10,000 events it refuses with a clear message.
import { describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import BulkEvents from '../../renderer/panels/BulkEvents.svelte';
import FindingsPanel from '../../renderer/panels/FindingsPanel.svelte';
import { AnnotationsState, filterUsesAnnotations } from '../../renderer/state/annotations.svelte.ts';
import { AppState } from '../../renderer/state/app-state.svelte.ts';
import { FakeApi } from './fake-api.ts';

function table(total: number) {
  return { filter: 'process_name:psexec.exe', range: { startMs: 1000, endMs: 2000 }, hosts: ['DC01'], findingId: null, total };
}

describe('bulk annotation', () => {
  it('annotates every event of the view in one request, suggesting existing tags', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    await annotations.load();
    await annotations.change({ kind: 'finding', id: 'f-old' }, { op: 'addTag', tag: 'lateral' });
    const saved = vi.fn();
    annotations.onsaved = saved;
    render(BulkEvents, { table: table(42), annotations, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Annotate view…' }));
    const form = screen.getByRole('form', { name: 'Annotate 42 events of this view' });
    const suggestions = [...form.querySelectorAll('datalist option')].map((o) => o.getAttribute('value'));
    expect(suggestions).toEqual(['lateral']);
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Status for all' }), 'confirmed-malicious');
    await userEvent.selectOptions(within(form).getByRole('combobox', { name: 'Star for all' }), 'star');
    await userEvent.type(within(form).getByRole('combobox', { name: 'Tag for all' }), 'psexec');
    await userEvent.type(within(form).getByRole('textbox', { name: 'Comment for all' }), '=cmd| seen');
    await userEvent.click(within(form).getByRole('button', { name: 'Apply' }));
    await screen.findByText('Saved on 42 events of this view');
    const bulk = api.callsTo('case.annotate').map((r) => r.bulk).filter((b) => b !== undefined);
    expect(bulk).toHaveLength(1);
    expect(bulk[0]!.events).toEqual({ filter: 'process_name:psexec.exe', startMs: 1000, endMs: 2000, hosts: ['DC01'] });
    expect(bulk[0]!.edits).toEqual([
      { op: 'setStatus', status: 'confirmed-malicious' },
      { op: 'addTag', tag: 'psexec' },
      { op: 'addComment', author: 'alice', text: '=cmd| seen' },
      { op: 'setStar', star: true },
    ]);
    expect(annotations.doc.events['events:process_name:psexec.exe']).toMatchObject({ status: 'confirmed-malicious', star: true, tags: ['psexec'] });
    expect(saved).toHaveBeenCalled();
    expect(annotations.tags).toEqual(['lateral', 'psexec']);
  });

  it('refuses a view beyond 10,000 events and says how to narrow it', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    render(BulkEvents, { table: table(10_001), annotations, onerror: vi.fn() });
    await userEvent.click(screen.getByRole('button', { name: 'Annotate view…' }));
    expect(screen.getByRole('alert')).toHaveTextContent(/10,001 events; annotate at most 10,000 at once\. Narrow the filter/);
    expect(screen.queryByRole('button', { name: 'Apply' })).toBeNull();
    expect(api.callsTo('case.annotate')).toHaveLength(0);
  });

  it('the Annotate view popup closes on Escape and on a click outside it', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    render(BulkEvents, { table: table(42), annotations, onerror: vi.fn() });
    const button = screen.getByRole('button', { name: 'Annotate view…' });
    await userEvent.click(button);
    const form = screen.getByRole('form', { name: 'Annotate 42 events of this view' });
    await userEvent.click(within(form).getByRole('combobox', { name: 'Tag for all' }));
    expect(screen.getByRole('form')).toBeInTheDocument();
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('form')).toBeNull();
    await userEvent.click(button);
    screen.getByRole('form');
    await userEvent.click(document.body);
    expect(screen.queryByRole('form')).toBeNull();
  });

  it('tells which table filters depend on the notes', () => {
    for (const f of ['status:benign', 'x tag:a', 'starred', '(commented)', 'NOT is:starred', 'status!=new']) expect(filterUsesAnnotations(f)).toBe(true);
    for (const f of ['process_name:cmd.exe', '"starred"', 'unstarred', 'mystatus:x']) expect(filterUsesAnnotations(f)).toBe(false);
  });
});

describe('bulk annotation of findings', () => {
  it('ticks findings (with shift-click), annotates them in one request, then filters by status', async () => {
    const api = new FakeApi();
    const annotations = new AnnotationsState(api);
    await annotations.load();
    render(FindingsPanel, { api, version: 1, selectedId: null, onfocus: vi.fn(), onerror: vi.fn(), annotations });
    const list = await screen.findByRole('list', { name: 'Findings by risk' });
    const boxes = within(list).getAllByRole('checkbox');
    expect(boxes).toHaveLength(2);
    const user = userEvent.setup();
    await user.click(boxes[0]!);
    await user.keyboard('{Shift>}');
    await user.click(boxes[1]!);
    await user.keyboard('{/Shift}');
    expect(boxes.map((b) => (b as HTMLInputElement).checked)).toEqual([true, true]);
    const form = screen.getByRole('form', { name: 'Annotate 2 findings' });
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Status for all' }), 'false-positive');
    await user.click(within(form).getByRole('button', { name: 'Apply' }));
    await screen.findByText('Saved on 2 findings');
    const req = api.callsTo('case.annotate').at(-1)!;
    expect(req.changes).toBeUndefined();
    expect(req.bulk!.findingIds).toHaveLength(2);
    expect(req.bulk!.edits).toEqual([{ op: 'setStatus', status: 'false-positive' }]);
    for (const id of req.bulk!.findingIds!) expect(annotations.doc.findings[id]!.status).toBe('false-positive');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Show findings with status' }), 'false-positive');
    const shown = within(await screen.findByRole('list', { name: 'Findings by risk' })).getAllByRole('checkbox');
    expect(shown).toHaveLength(2);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Show findings with status' }), 'benign');
    expect(screen.queryAllByRole('checkbox')).toHaveLength(0);
  });
});

describe('notes and annotation filters', () => {
  it('a saved change refetches the table and the timeline only when the filter reads notes', async () => {
    const api = new FakeApi();
    const app = new AppState(api);
    app.table.setFilter('process_name:cmd.exe');
    const q0 = app.table.queryVersion;
    await app.annotations.change({ kind: 'finding', id: 'f1' }, { op: 'setStar', star: true });
    expect([app.table.queryVersion, app.notesVersion]).toEqual([q0, 0]);
    app.table.setFilter('starred OR tag:x');
    const q1 = app.table.queryVersion;
    await app.annotations.bulk({ findingIds: ['f1', 'f2'] }, [{ op: 'addTag', tag: 'x' }]);
    expect([app.table.queryVersion, app.notesVersion]).toEqual([q1 + 1, 1]);
  });
});
