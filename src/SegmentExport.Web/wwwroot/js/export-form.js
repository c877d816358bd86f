// Export form: picking a connection or a list reloads the form with that platform's lists and fields
// (the same as pressing "Load lists and fields"); nothing is saved.
// From the keyboard, arrow keys change a closed select one option at a time: the form then waits until the choice is
// made (Enter, or leaving the field) rather than reloading on every key, and after the reload focus returns to where it was.
(function () {
    'use strict';
    var form = document.getElementById('export-form');
    var reload = document.getElementById('export-reload');
    if (!form || !reload) {
        return;
    }

    var focusKey = 'export-form-focus';
    try {
        var back = window.sessionStorage.getItem(focusKey);
        window.sessionStorage.removeItem(focusKey);
        var target = back && document.getElementById(back);
        if (target) { target.focus(); }
    } catch (e) { /* storage off: focus starts at the top */ }

    form.querySelectorAll('[data-reload]').forEach(function (select) {
        var keyed = false;
        var pending = false;

        function go(focusId) {
            if (select.id === 'export-connection') {
                var list = document.getElementById('export-list');
                if (list) { list.value = ''; }
            }
            try { window.sessionStorage.setItem(focusKey, focusId || select.id); } catch (e) { /* no storage */ }
            reload.click();
        }

        select.addEventListener('keydown', function (e) {
            if (e.key === 'Enter' && pending) {
                e.preventDefault();
                go();
                return;
            }
            if (e.key !== 'Tab' && e.key !== 'Shift') { keyed = true; }
        });
        select.addEventListener('change', function () {
            if (keyed) {
                pending = true;
                return;
            }
            go();
        });
        select.addEventListener('blur', function (e) {
            keyed = false;
            if (pending) { go(e.relatedTarget && e.relatedTarget.id); }
        });
        select.addEventListener('mousedown', function () { keyed = false; });
    });
})();
