// Polls an import's status while it runs and reloads the page when it ends.
(function () {
    const box = document.getElementById('progress');
    if (!box) return;
    const rows = document.getElementById('rows');
    const url = box.dataset.statusUrl;
    async function poll() {
        try {
            const response = await fetch(url, { headers: { 'Accept': 'application/json' } });
            if (response.ok) {
                const state = await response.json();
                rows.textContent = state.rowsRead.toLocaleString();
                if (state.status !== 'Queued' && state.status !== 'Running') {
                    window.location.reload();
                    return;
                }
            }
        } catch (e) { /* try again on the next tick */ }
        setTimeout(poll, 1500);
    }
    setTimeout(poll, 1500);
})();
