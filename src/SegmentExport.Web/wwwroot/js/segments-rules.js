// Rule builder: edits the rule tree and writes it, as JSON, into the Input.Rules textarea the server reads.
// Without JavaScript that textarea stays visible and the server validates what is typed there.
(() => {
    'use strict';
    const configNode = document.getElementById('rule-config');
    const textarea = document.getElementById('rules-json');
    const root = document.getElementById('rule-builder');
    const form = document.getElementById('segment-form');
    if (!configNode || !textarea || !root || !form) return;

    const config = JSON.parse(configNode.textContent);
    const fields = new Map(config.fields.map(f => [f.key, f]));
    const typeWords = { Text: 'text', Number: 'number', Date: 'date', Boolean: 'true/false', List: 'list' };
    let errors = new Map(config.errors.map(e => [e.path, e.message]));
    let rules;
    try {
        rules = normalize(JSON.parse(textarea.value || '{}'));
    } catch {
        return; // Unreadable JSON: leave the textarea for the person to fix; the server says what is wrong.
    }
    document.getElementById('rules-json-wrap').hidden = true;
    render();

    function emptyCondition() { return { field: '', operator: '', value: '', value2: '', values: [] }; }

    function normalize(g) {
        return {
            match: g.match === 'any' ? 'any' : 'all',
            conditions: (g.conditions || []).map(c => ({
                field: c.field || '', operator: c.operator || '', value: c.value ?? '', value2: c.value2 ?? '', values: c.values || [],
            })),
            groups: (g.groups || []).map(normalize),
        };
    }

    function valueKind(c) {
        switch (c.operator) {
            case '': case 'is_empty': case 'is_not_empty': return 'none';
            case 'in_list': return 'list';
            case 'between': return 'range';
            case 'within_last_days': return 'days';
            default: return 'single';
        }
    }

    function serialize(g) {
        return {
            match: g.match,
            conditions: g.conditions.map(c => {
                const out = { field: c.field, operator: c.operator };
                const kind = valueKind(c);
                if (kind === 'list') out.values = c.values.map(v => v.trim()).filter(v => v !== '');
                else if (kind !== 'none') out.value = c.value;
                if (kind === 'range') out.value2 = c.value2;
                return out;
            }),
            groups: g.groups.map(serialize),
        };
    }

    function sync() { textarea.value = JSON.stringify(serialize(rules)); }

    function render(focusId) {
        root.replaceChildren(renderGroup(rules, '', 0, null, ''));
        sync();
        if (focusId) document.getElementById(focusId)?.focus();
    }

    // Structural edits shift paths, so messages from the server no longer point at the right place.
    function restructure(focusId) { errors.clear(); render(focusId); }

    function el(tag, attrs, ...children) {
        const node = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs || {})) {
            if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : v);
        }
        node.append(...children.filter(c => c !== null && c !== undefined));
        return node;
    }

    function idFor(path, part) { return 'rb-' + (path || 'root').replace(/\./g, '-') + '-' + part; }

    function button(text, onClick, style, label) {
        const b = el('button', { type: 'button', class: 'btn btn-sm ' + (style || 'btn-outline-secondary'), 'aria-label': label });
        b.textContent = text;
        b.addEventListener('click', onClick);
        return b;
    }

    function errorNode(path) {
        const message = errors.get(path);
        return message ? el('div', { id: idFor(path, 'error'), class: 'text-danger small mt-1', role: 'alert' }, message) : null;
    }

    function renderGroup(g, path, depth, parent, number) {
        const box = el('fieldset', { class: depth ? 'border rounded p-2 p-md-3 mb-3 bg-body-tertiary' : 'mb-2' });
        box.append(el('legend', { class: 'fs-6 fw-semibold mb-2' }, depth ? `Group ${number}` : 'Profiles are in this segment when they match'));
        const matchId = idFor(path, 'match');
        const select = el('select', { id: matchId, class: 'form-select form-select-sm w-auto' },
            el('option', { value: 'all', selected: g.match === 'all' }, 'all of these (AND)'),
            el('option', { value: 'any', selected: g.match === 'any' }, 'any of these (OR)'));
        select.addEventListener('change', () => { g.match = select.value; sync(); });
        box.append(el('div', { class: 'd-flex flex-wrap align-items-center gap-2 mb-2' },
            el('label', { for: matchId, class: 'form-label mb-0 small' }, depth ? 'This group matches' : 'Match'), select));
        box.append(errorNode(path));
        if (!depth && g.conditions.length === 0 && g.groups.length === 0) {
            box.append(el('p', { class: 'small text-muted' }, 'No conditions yet: every profile matches. Add a condition to narrow it down.'));
        }
        g.conditions.forEach((c, i) => box.append(renderCondition(c, g, i, path + 'c' + i)));
        g.groups.forEach((child, j) => box.append(renderGroup(child, path + 'g' + j + '.', depth + 1, g, depth ? `${number}.${j + 1}` : `${j + 1}`)));
        const actions = el('div', { class: 'd-flex flex-wrap gap-2' });
        actions.append(button('Add condition', () => {
            g.conditions.push(emptyCondition());
            restructure(idFor(path + 'c' + (g.conditions.length - 1), 'field'));
        }, 'btn-outline-primary', depth ? `Add condition to group ${number}` : null));
        if (depth < config.maxDepth) {
            actions.append(button('Add group', () => {
                g.groups.push({ match: 'any', conditions: [emptyCondition()], groups: [] });
                restructure(idFor(path + 'g' + (g.groups.length - 1) + '.c0', 'field'));
            }, 'btn-outline-secondary', depth ? `Add a group inside group ${number}` : null));
        }
        if (parent) {
            actions.append(button('Remove group', () => {
                parent.groups.splice(parent.groups.indexOf(g), 1);
                restructure();
            }, 'btn-outline-danger', `Remove group ${number}`));
        }
        box.append(actions);
        return box;
    }

    function operatorWord(field, op) {
        if (field && field.type === 'List') {
            if (op === 'contains') return 'contains the item';
            if (op === 'in_list') return 'contains any of';
        }
        return config.words[op] || op;
    }

    function renderCondition(c, group, index, path) {
        const field = fields.get(c.field);
        const hasError = errors.has(path);
        const described = hasError ? idFor(path, 'error') : null;
        const common = { 'aria-describedby': described, 'aria-invalid': hasError ? 'true' : null };
        const row = el('div', { class: 'row g-2 align-items-end mb-2 pb-2 border-bottom', role: 'group', 'aria-label': `Condition ${index + 1}` });

        const fieldId = idFor(path, 'field');
        const fieldSelect = el('select', { id: fieldId, class: 'form-select', ...common }, el('option', { value: '' }, 'Choose a field…'));
        const core = el('optgroup', { label: 'Profile fields' });
        const attributes = el('optgroup', { label: 'Attributes' });
        for (const f of fields.values()) {
            const text = f.isAttribute ? `${f.label} (${typeWords[f.type] || f.type})` : f.label;
            (f.isAttribute ? attributes : core).append(el('option', { value: f.key, selected: f.key === c.field }, text));
        }
        fieldSelect.append(core);
        if (attributes.children.length) fieldSelect.append(attributes);
        if (c.field && !field) fieldSelect.append(el('option', { value: c.field, selected: true }, `${c.field} (unknown)`));
        fieldSelect.addEventListener('change', () => {
            c.field = fieldSelect.value;
            const chosen = fields.get(c.field);
            if (chosen && !chosen.operators.includes(c.operator)) c.operator = chosen.operators[0];
            errors.delete(path);
            render(fieldId);
        });
        row.append(el('div', { class: 'col-12 col-md-4' }, el('label', { for: fieldId, class: 'form-label small mb-1' }, 'Field'), fieldSelect));

        const opId = idFor(path, 'op');
        const operators = field ? field.operators : (c.operator ? [c.operator] : []);
        const opSelect = el('select', { id: opId, class: 'form-select', disabled: !field, ...common });
        if (!c.operator) opSelect.append(el('option', { value: '' }, 'Choose a field first'));
        for (const op of operators) opSelect.append(el('option', { value: op, selected: op === c.operator }, operatorWord(field, op)));
        opSelect.addEventListener('change', () => { c.operator = opSelect.value; errors.delete(path); render(opId); });
        row.append(el('div', { class: 'col-12 col-md-3' }, el('label', { for: opId, class: 'form-label small mb-1' }, 'Test'), opSelect));

        row.append(el('div', { class: 'col-12 col-md-4' }, ...valueInputs(c, field, path, common)));
        row.append(el('div', { class: 'col-12 col-md-1 text-md-end' }, button('Remove', () => {
            group.conditions.splice(index, 1);
            restructure();
        }, 'btn-outline-danger', `Remove condition ${index + 1}`)));
        const error = errorNode(path);
        if (error) row.append(el('div', { class: 'col-12' }, error));
        return row;
    }

    function valueInputs(c, field, path, common) {
        const kind = valueKind(c);
        const type = field ? field.type : 'Text';
        if (kind === 'none') return [];
        if (kind === 'list') {
            const id = idFor(path, 'values');
            const area = el('textarea', { id, class: 'form-control', rows: 3, ...common });
            area.value = c.values.join('\n');
            area.addEventListener('input', () => { c.values = area.value.split('\n'); sync(); });
            return [el('label', { for: id, class: 'form-label small mb-1' }, 'Values, one per line'), area];
        }
        if (kind === 'days') return input(c, 'value', path, 'Number of days', { type: 'number', min: 1, step: 1, inputmode: 'numeric' }, common);
        const attrs = type === 'Date' ? { type: 'date' } : type === 'Number' ? { type: 'text', inputmode: 'decimal' } : { type: 'text' };
        if (kind === 'range') {
            return [el('div', { class: 'row g-2' },
                el('div', { class: 'col-6' }, ...input(c, 'value', path, 'From', attrs, common)),
                el('div', { class: 'col-6' }, ...input(c, 'value2', path, 'To', attrs, common)))];
        }
        if (type === 'Boolean') {
            const id = idFor(path, 'value');
            const select = el('select', { id, class: 'form-select', ...common },
                el('option', { value: '' }, 'Choose…'),
                el('option', { value: 'true', selected: String(c.value).toLowerCase() === 'true' }, 'true'),
                el('option', { value: 'false', selected: String(c.value).toLowerCase() === 'false' }, 'false'));
            select.addEventListener('change', () => { c.value = select.value; sync(); });
            return [el('label', { for: id, class: 'form-label small mb-1' }, 'Value'), select];
        }
        return input(c, 'value', path, 'Value', attrs, common);
    }

    function input(c, key, path, label, attrs, common) {
        const id = idFor(path, key);
        const box = el('input', { id, class: 'form-control', ...attrs, ...common });
        box.value = c[key] ?? '';
        box.addEventListener('input', () => { c[key] = box.value; sync(); });
        return [el('label', { for: id, class: 'form-label small mb-1' }, label), box];
    }

    // Preview: the same form posted to the Preview handler (antiforgery token included); nothing is saved.
    const previewButton = document.getElementById('preview-button');
    const previewOut = document.getElementById('preview');
    previewButton.hidden = false;
    previewButton.addEventListener('click', async () => {
        sync();
        previewOut.textContent = 'Counting…';
        let result;
        try {
            const response = await fetch(previewButton.dataset.url, { method: 'POST', body: new FormData(form), headers: { Accept: 'application/json' } });
            if (!response.ok) throw new Error(String(response.status));
            result = await response.json();
        } catch (e) {
            previewOut.replaceChildren(el('p', { class: 'text-danger' }, `The preview did not answer (${e.message}). Try again in a moment.`));
            return;
        }
        errors = new Map(result.errors.map(e => [e.path, e.message]));
        render();
        if (result.errors.length) {
            previewOut.replaceChildren(el('p', { class: 'text-danger' }, 'Fix the conditions marked in red, then preview again.'));
            return;
        }
        const list = el('ul', { class: 'list-unstyled small mb-0' });
        for (const m of result.members) list.append(el('li', {}, `${m.email || '(no email)'} ${m.name ? '· ' + m.name : ''}`));
        previewOut.replaceChildren(
            el('p', { class: 'fw-semibold mb-1' }, `${result.count.toLocaleString()} profiles match now.`),
            result.members.length ? el('p', { class: 'small text-muted mb-1' }, `The first ${result.members.length}:`) : null,
            list);
    });
})();
