  // The classic script's footer: the node's origin is where this script came from (a classic script knows its own
  // element while it first runs).
  const script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  const origin = script && script.src ? new URL(script.src, location.href).origin : null;
  const w = /** @type {any} */ (window);
  w.LunarChat = Object.assign(w.LunarChat || {}, lunarChatApi(origin));
