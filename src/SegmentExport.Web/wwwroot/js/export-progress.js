// Live progress of an export run: while the run is queued or running, polls the run page's Progress handler and brings
// the whole page up to date without a reload: status badge, bar, the progress line, every count, the timeline's new
// events, new skipped and rejected rows (first page only, up to a page) and the reason filter; once the run ends the
// bar stops, the Cancel button goes and an error shows. Builds everything with text nodes (no markup strings).
(function () {
    'use strict';
    var box = document.getElementById('run-progress');
    var url = box && box.getAttribute('data-url');
    if (!url) {
        return;
    }

    var bar = document.getElementById('run-progress-bar');
    var text = document.getElementById('run-progress-text');
    var afterEvent = Number(box.getAttribute('data-after-event')) || 0;
    var afterRow = Number(box.getAttribute('data-after-row')) || 0;
    var room = Number(box.getAttribute('data-room'));
    var undelivered = Number(box.getAttribute('data-undelivered')) || 0;
    if (isNaN(room)) { room = -1; }
    var ended = false;
    var trailing = 3;
    var timelineSize = 200;

    function element(tag, className, content) {
        var el = document.createElement(tag);
        if (className) { el.className = className; }
        if (content !== undefined && content !== null) { el.textContent = content; }
        return el;
    }

    function show(id, visible) {
        var el = document.getElementById(id);
        if (el) { el.hidden = !visible; }
    }

    function setStatus(p) {
        var badge = document.querySelector('#run-status .badge');
        if (badge) {
            badge.className = 'badge ' + p.statusCss;
            badge.textContent = p.statusText;
        }
        var node = document.getElementById('run-node');
        if (node && p.node) { node.textContent = ' · on ' + p.node; }
    }

    function setBar(p) {
        bar.style.width = p.percent + '%';
        bar.textContent = p.percent + '%';
        box.setAttribute('aria-valuenow', String(p.percent));
        text.textContent = p.text;
        Object.keys(p.counts).forEach(function (key) {
            var cell = document.querySelector('[data-count="' + key + '"]');
            if (cell) { cell.textContent = p.counts[key]; }
        });
    }

    function addEvents(events) {
        var list = document.getElementById('run-timeline');
        if (!list || events.length === 0) { return; }
        events.forEach(function (ev) {
            var time = element('time', null, ev.at.substring(11, 23));
            time.setAttribute('datetime', ev.at);
            time.setAttribute('data-local', 'clock');
            if (window.SegmentExportTime) { window.SegmentExportTime.localize(time); }
            var stamp = element('span', 'text-muted font-monospace');
            stamp.appendChild(time);
            var item = element('li');
            item.appendChild(stamp);
            item.appendChild(document.createTextNode(' ' + ev.message));
            list.appendChild(item);
            afterEvent = ev.id;
        });
        while (list.children.length > timelineSize) { list.removeChild(list.firstElementChild); }
        list.hidden = false;
        show('run-timeline-empty', false);
    }

    function addRows(p) {
        var body = document.getElementById('run-rows-body');
        if (room < 0 || !body) { return; }
        p.rows.forEach(function (row) {
            var tr = element('tr');
            tr.appendChild(element('td', 'text-break', row.email));
            [['Outcome', row.outcome], ['Code', row.code], ['Reason', row.reason]].forEach(function (cell) {
                var td = element('td', null, cell[1]);
                td.setAttribute('data-label', cell[0]);
                tr.appendChild(td);
            });
            body.appendChild(tr);
            afterRow = row.id;
            room -= 1;
        });
        if (body.children.length > 0) {
            show('run-rows', true);
            show('run-rows-empty', false);
        }
        if (p.moreRows && room <= 0) {
            // The first page is full: the rest is on the next page, as it would be after a reload.
            var pager = document.getElementById('run-rows-pager');
            if (pager && !pager.querySelector('[data-next-page]')) {
                var next = element('a', 'btn btn-outline-secondary', 'Next page');
                next.href = pager.getAttribute('data-next') + afterRow;
                next.setAttribute('data-next-page', '');
                pager.appendChild(next);
            }
            room = -1;
        }
    }

    function setCodes(p) {
        if (!p.codes) { return; }
        undelivered = p.undelivered;
        var select = document.getElementById('rows-code');
        if (!select) { return; }
        var chosen = select.value;
        while (select.options.length > 1) { select.remove(1); }
        p.codes.forEach(function (c) {
            if (!c.code) { return; }
            var option = element('option', null, c.code + ' (' + c.count + ')');
            option.value = c.code;
            option.selected = c.code === chosen;
            select.appendChild(option);
        });
    }

    function finish(p) {
        bar.classList.remove('progress-bar-striped', 'progress-bar-animated');
        var cancel = document.getElementById('run-cancel');
        if (cancel) { cancel.remove(); }
        var error = document.getElementById('run-error');
        if (error && p.error) {
            error.textContent = p.error;
            error.hidden = false;
        }
        var empty = document.getElementById('run-rows-empty');
        if (empty) { empty.textContent = empty.textContent.replace(' so far.', '.'); }
    }

    function poll() {
        var query = 'afterEvent=' + afterEvent + '&afterRow=' + afterRow + '&room=' + room + '&codesFor=' + undelivered;
        fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + query, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (p) {
                if (!p) { setTimeout(poll, 5000); return; }
                setStatus(p);
                setBar(p);
                addEvents(p.events);
                addRows(p);
                setCodes(p);
                if (p.active) {
                    setTimeout(poll, 1000);
                    return;
                }
                if (!ended) {
                    ended = true;
                    finish(p);
                }
                // The engine writes its last timeline event ("Finished.") just after the status: a few more polls pick it up.
                trailing -= 1;
                if (trailing > 0 && p.events.length === 0) { setTimeout(poll, 1000); }
            })
            .catch(function (e) {
                if (window.console) { window.console.error('Run progress: ' + e); }
                setTimeout(poll, 5000);
            });
    }

    setTimeout(poll, 1000);
})();
