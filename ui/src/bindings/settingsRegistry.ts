// Generated from the engine's settings registry. Do not edit: `UPDATE_BINDINGS=1 cargo test -p ehlowatch-app --lib bindings` rewrites it.
export const SETTINGS = {
  qos_ms: {"default":1000,"doc":"QoS in milliseconds: a 250 later than this is a warning, later than twice this a failure","kind":"int","max":300000,"min":1,"noun":null,"tables":["defaults","monitor"],"unit":"ms"},
  interval_s: {"default":60,"doc":"Seconds between probes; longer than twice the QoS","kind":"int","max":86400,"min":1,"noun":null,"tables":["defaults","monitor"],"unit":"s"},
  retry_s: {"default":10,"doc":"Seconds before the confirmation re-probe after a failed probe (never more than the interval)","kind":"int","max":86400,"min":1,"noun":null,"tables":["defaults","monitor"],"unit":"s"},
  cert_warn_days: {"default":14,"doc":"Fewer days left on the server's certificate than this is a warning","kind":"int","max":3650,"min":0,"noun":null,"tables":["defaults","monitor"],"unit":"days"},
  cert_crit_days: {"default":3,"doc":"Fewer days left on the server's certificate than this is a failure; not above cert_warn_days","kind":"int","max":3650,"min":0,"noun":null,"tables":["defaults","monitor"],"unit":"days"},
  port: {"default":25,"doc":"TCP port: 25, or 465 for implicit TLS, unless set","kind":"int","max":65535,"min":1,"noun":"a port","tables":["monitor"],"unit":""},
  failed_after: {"default":2,"doc":"Consecutive failed probes before a Failed alert","kind":"int","max":1000,"min":1,"noun":null,"tables":["alerts"],"unit":""},
  warning_after: {"default":2,"doc":"Consecutive QoS warnings before a Warning alert","kind":"int","max":1000,"min":1,"noun":null,"tables":["alerts"],"unit":""},
  repeat_every_min: {"default":0,"doc":"Remind every this many minutes while a monitor stays Failed; 0 for never","kind":"int","max":10080,"min":0,"noun":null,"tables":["alerts"],"unit":"min"},
  retention_days: {"default":30,"doc":"Days of raw results the history keeps","kind":"int","max":3650,"min":1,"noun":null,"tables":["history"],"unit":"days"},
  on_recovery: {"default":true,"doc":"Alert when a monitor recovers","kind":"bool","tables":["alerts"]},
  every_failure: {"default":false,"doc":"Alert on every failed probe, confirmations or not","kind":"bool","tables":["alerts"]},
  insecure: {"default":false,"doc":"Skip certificate verification (the report still says whether it would verify)","kind":"bool","tables":["monitor"]},
  enabled: {"default":true,"doc":"Probe this monitor","kind":"bool","tables":["monitor"]},
  min_ttl_s: {"default":30,"doc":"The shortest time a DNS answer for a mail domain is kept: its TTL, clamped to this … 1 h","kind":"int","max":3600,"min":1,"noun":null,"tables":["dns"],"unit":"s"},
  dane: {"default":true,"doc":"Check each MX host's TLSA records (RFC 7672) against the certificate it serves; needs a validating resolver on loopback, else says \"not checked\"","kind":"bool","tables":["mail_policy"]},
  mta_sts: {"default":true,"doc":"Check each mail domain's MTA-STS policy (RFC 8461) against its MX hosts and the certificates they serve: one TXT lookup per probe, the policy fetched over HTTPS when its id changes or its max_age ends","kind":"bool","tables":["mail_policy"]},
  tls_rpt: {"default":true,"doc":"Check each mail domain's TLS-RPT record (RFC 8460): amber when it is broken, nothing when absent; one TXT lookup per probe","kind":"bool","tables":["mail_policy"]},
} as const;

/** The port a monitor uses when none is set: 465 for implicit TLS, else 25. */
export const IMPLICIT_TLS_PORT = 465;
