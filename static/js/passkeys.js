// The Passkeys page: django-otp-webauthn's register script adds the passkey but leaves the
// page as it was. Reload it so the list shows the new passkey (and the server's message).
// NOTE: loaded as a module with the CSP nonce, after the package's script.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
