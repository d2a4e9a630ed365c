// The public surface of the client (`nso-mock/client`). Explicit list.
export {
  connect,
  type ClientAddress,
  type ClientStreamOptions,
  type ConnectOptions,
  type ConnectFailedDetails,
  type NotifClient,
  type ReceivedNotification,
} from './notif-client.js';
export { connectHeaderFor, encodeClientTerm, encodeClientFrame, type ClientStyle } from './encoding.js';
export { connectMaapi, maapiPathTerm, type DiffItemReceived, type IterAnswer, type MaapiClient, type MaapiConnectOptions } from './maapi-client.js';
