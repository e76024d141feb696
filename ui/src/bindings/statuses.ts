// Generated from the engine's statuses and event ids. Do not edit: `UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings` rewrites it.
export const STATUSES = {
  success: {"colour":"green","event_id":5510,"metric":0,"rank":0},
  paused: {"colour":"grey","event_id":null,"metric":3,"rank":1},
  no_mail: {"colour":"grey","event_id":5533,"metric":3,"rank":2},
  unknown: {"colour":"grey","event_id":null,"metric":3,"rank":3},
  unreachable: {"colour":"grey","event_id":null,"metric":3,"rank":4},
  no_route: {"colour":"grey","event_id":null,"metric":3,"rank":5},
  stale: {"colour":"grey","event_id":5524,"metric":3,"rank":6},
  blocked: {"colour":"grey","event_id":5522,"metric":3,"rank":7},
  offline: {"colour":"grey","event_id":5520,"metric":3,"rank":8},
  warning: {"colour":"amber","event_id":5511,"metric":1,"rank":9},
  failed: {"colour":"red","event_id":5509,"metric":2,"rank":10},
} as const;

export const EVENT_IDS = {
  5509: {"emitted":true,"name":"Failed"},
  5510: {"emitted":true,"name":"Success"},
  5511: {"emitted":true,"name":"QoS Warning"},
  5520: {"emitted":true,"name":"Offline began"},
  5521: {"emitted":true,"name":"Offline ended"},
  5522: {"emitted":true,"name":"Blocked began"},
  5523: {"emitted":true,"name":"Blocked ended"},
  5524: {"emitted":true,"name":"Stale began"},
  5525: {"emitted":false,"name":"Stale ended"},
  5530: {"emitted":true,"name":"MX set changed"},
  5531: {"emitted":true,"name":"Server changed"},
  5532: {"emitted":true,"name":"STARTTLS vanished"},
  5533: {"emitted":true,"name":"Takes no mail"},
  5540: {"emitted":true,"name":"DANE verdict changed"},
  5541: {"emitted":true,"name":"MTA-STS policy changed"},
  5542: {"emitted":true,"name":"Blocklist listing changed"},
} as const;
