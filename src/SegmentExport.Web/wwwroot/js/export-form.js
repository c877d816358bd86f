// Export form: picking a connection or a list reloads the form with that platform's lists and fields
// (the same as pressing "Load lists and fields"); nothing is saved.
(function () {
    'use strict';
    var form = document.getElementById('export-form');
    var reload = document.getElementById('export-reload');
    if (!form || !reload) {
        return;
    }

    form.querySelectorAll('[data-reload]').forEach(function (select) {
        select.addEventListener('change', function () {
            if (select.id === 'export-connection') {
                var list = document.getElementById('export-list');
                if (list) { list.value = ''; }
            }
            reload.click();
        });
    });
})();
