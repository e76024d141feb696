# The reference client of the STARTTLS latency comparison: Python's smtplib over OpenSSL doing
# what an EHLO Watch probe does — connect, greeting, EHLO, STARTTLS, a handshake that verifies the
# chain against the run's CA and the address as the name, EHLO again, QUIT — N times, one after
# another. Per probe it prints one line of JSON: `latency_ms` (connect start to the final line of
# the second EHLO reply, as the engine measures) and `ehlo_ms` (that EHLO, sent to its final line:
# the first write after the handshake and the server's reply), or `error`.
#
#   python3 reference_starttls.py HOST PORT CA_FILE N
import json
import smtplib
import ssl
import sys
import time

host, port, ca_file, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
context = ssl.create_default_context(cafile=ca_file)
for _ in range(n):
    try:
        start = time.perf_counter()
        smtp = smtplib.SMTP(host, port, local_hostname="[127.0.0.1]", timeout=10)
        code, _ = smtp.ehlo()
        if code != 250:
            raise RuntimeError(f"EHLO answered {code}")
        code, _ = smtp.starttls(context=context)
        if code != 220:
            raise RuntimeError(f"STARTTLS answered {code}")
        sent = time.perf_counter()
        code, _ = smtp.ehlo()
        done = time.perf_counter()
        if code != 250:
            raise RuntimeError(f"EHLO after STARTTLS answered {code}")
        smtp.quit()
        print(json.dumps({"latency_ms": (done - start) * 1e3, "ehlo_ms": (done - sent) * 1e3}))
    except Exception as e:  # a failed probe is a figure, not the end of the run
        print(json.dumps({"error": str(e)}))
    sys.stdout.flush()
