// The portal's page script: starts the GOV.UK Frontend components and warns before
// an idle session is signed out (the GOV.UK timeout warning pattern).
// NOTE: the CSP forbids inline scripts and styles, so everything here is built with
// DOM APIs and styled by classes from portal.css.
// NOTE: the import is relative to this file (static/js/), so it follows STATIC_URL.
import { initAll } from "../build/govuk-frontend.min.js";

initAll();

const SECOND = 1000;

function countdownText(secondsLeft) {
  // Announce each minute, then every 20 seconds in the last minute.
  if (secondsLeft > 60) {
    const minutes = Math.ceil(secondsLeft / 60);
    return `${minutes} minutes`;
  }
  if (secondsLeft > 40) {
    return "1 minute";
  }
  const seconds = Math.max(Math.ceil(secondsLeft / 20) * 20, 20);
  return `${seconds} seconds`;
}

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    node.setAttribute(name, value);
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function buildDialog(signoutUrl) {
  const dialog = element("dialog", {
    class: "app-timeout-dialog",
    "aria-labelledby": "app-timeout-dialog-heading",
    "aria-describedby": "app-timeout-dialog-message",
  });
  const heading = element(
    "h2",
    { class: "govuk-heading-m app-timeout-dialog__heading", id: "app-timeout-dialog-heading", tabindex: "-1" },
    "You're about to be signed out",
  );
  const message = element("p", {
    class: "govuk-body",
    id: "app-timeout-dialog-message",
    "aria-live": "polite",
    "aria-atomic": "true",
  });
  const countdown = element("strong");
  message.append("For your security, we will sign you out in ", countdown, ".");
  const actions = element("div", { class: "govuk-button-group" });
  const stay = element("button", { type: "button", class: "govuk-button", "data-module": "govuk-button" }, "Stay signed in");
  const signOut = element("a", { href: signoutUrl, class: "govuk-link govuk-link--no-visited-state" }, "Sign out");
  actions.append(stay, signOut);
  dialog.append(heading, message, actions);
  document.body.append(dialog);
  return { dialog, heading, countdown, stay, signOut };
}

function setUpSessionTimeout() {
  const config = document.getElementById("session-timeout");
  if (!config || typeof HTMLDialogElement !== "function") {
    return;
  }
  const idleSeconds = Number(config.dataset.idleSeconds);
  const warningSeconds = Number(config.dataset.warningSeconds);
  const { extendUrl, signoutUrl } = config.dataset;
  if (!(idleSeconds > 0) || !(warningSeconds > 0) || !extendUrl || !signoutUrl) {
    return;
  }
  // The sign-out form in the user bar: signing out is a POST with its CSRF token.
  const signoutForm = Array.from(document.forms).find((form) => form.getAttribute("action") === signoutUrl);
  const ui = buildDialog(signoutUrl);

  let deadline = 0;
  let warnTimer = null;
  let tickTimer = null;
  let returnFocusTo = null;

  function signOutNow() {
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    if (signoutForm) {
      signoutForm.submit();
    } else {
      // No form to post: reloading lets the server send an expired session to sign-in.
      window.location.reload();
    }
  }

  function tick() {
    const secondsLeft = Math.ceil((deadline - Date.now()) / SECOND);
    if (secondsLeft <= 0) {
      signOutNow();
      return;
    }
    const text = countdownText(secondsLeft);
    // Only a changed text is written, so the live region speaks once a step.
    if (ui.countdown.textContent !== text) {
      ui.countdown.textContent = text;
    }
  }

  function openDialog() {
    if (ui.dialog.open) {
      return;
    }
    // Set the text before opening, so it is read as the description, not announced twice.
    tick();
    if (Date.now() >= deadline) {
      return;
    }
    returnFocusTo = document.activeElement;
    ui.dialog.showModal();
    ui.heading.focus();
    tickTimer = setInterval(tick, SECOND);
  }

  function closeDialog() {
    clearInterval(tickTimer);
    if (ui.dialog.open) {
      ui.dialog.close();
    }
    if (returnFocusTo && returnFocusTo !== document.body && document.contains(returnFocusTo)) {
      returnFocusTo.focus();
    }
    returnFocusTo = null;
  }

  function startTimer() {
    clearTimeout(warnTimer);
    deadline = Date.now() + idleSeconds * SECOND;
    warnTimer = setTimeout(openDialog, Math.max(idleSeconds - warningSeconds, 0) * SECOND);
  }

  async function staySignedIn() {
    const tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
    let response;
    try {
      response = await fetch(extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": tokenInput ? tokenInput.value : "" },
        credentials: "same-origin",
      });
    } catch {
      // Network failure: keep the warning open so the person can try again.
      return;
    }
    if (!response.ok) {
      // The session has most likely ended already: let the server decide where to go.
      window.location.reload();
      return;
    }
    startTimer();
    closeDialog();
  }

  ui.stay.addEventListener("click", staySignedIn);
  ui.signOut.addEventListener("click", (event) => {
    event.preventDefault();
    signOutNow();
  });
  // Escape fires "cancel": treat it as "Stay signed in", as the pattern asks.
  ui.dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  // Timers are throttled in background tabs: check the clock when the page is seen again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") {
      return;
    }
    if (Date.now() >= deadline) {
      signOutNow();
    } else if (Date.now() >= deadline - warningSeconds * SECOND) {
      openDialog();
    }
  });

  startTimer();
}

setUpSessionTimeout();

// A table wider than its scrolling region (templates/_tables.html) shows its hint, "Scroll sideways
// to see the whole table"; one that fits does not. Measured again whenever a region changes size.
function markOverflowingTables() {
  const regions = document.querySelectorAll(".app-table-scroll-wrapper > .app-table-scroll");
  if (!regions.length || typeof ResizeObserver !== "function") {
    return; // portal.css shows the hints on narrow screens instead
  }
  const observer = new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const overflows = target.scrollWidth > target.clientWidth + 1;
      target.parentElement.dataset.overflows = String(overflows);
    }
  });
  regions.forEach((region) => observer.observe(region));
}

markOverflowingTables();
