// The ES module's footer: the node's origin is the module's own.
const api = lunarChatApi(new URL(import.meta.url).origin);
export const Meeting = api.Meeting;
export default api;
