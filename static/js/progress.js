// The data-return progress page: checks again every few seconds, updates the status line
// (a role="status" region, so screen readers hear it) and opens the report when the checks finish.
// NOTE: not <meta http-equiv="refresh">: reloading the whole page every few seconds takes
// screen reader and keyboard users back to the top each time (WCAG 2.2.1). Without JavaScript
// the page offers a link to check again.
const POLL_MS = 2000;
const GIVE_UP_MS = 15 * 60 * 1000;

const status = document.querySelector("[data-progress-status]");
if (status) {
  const started = Date.now();
  const poll = async () => {
    if (Date.now() - started > GIVE_UP_MS) {
      return;
    }
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin" });
      if (response.redirected) {
        // Finished: the progress page redirects to the report.
        window.location.assign(response.url);
        return;
      }
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html")
          .querySelector("[data-progress-status]");
        if (fresh && fresh.innerHTML !== status.innerHTML) {
          status.replaceChildren(...Array.from(fresh.childNodes));
        }
      }
    } catch {
      // A dropped connection: try again next time.
    }
    window.setTimeout(poll, POLL_MS);
  };
  window.setTimeout(poll, POLL_MS);
}
