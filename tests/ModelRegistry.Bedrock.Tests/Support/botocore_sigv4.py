"""Signs requests with botocore's SigV4Auth, an implementation independent of ours, for the SigV4 tests.

Reads a JSON list of requests on stdin and prints a JSON list of {"authorization": ..., "canonical_request": ...}.
Each request: method, url (as sent on the wire), body (text), headers (dict), access_key, secret_key, token,
region, service, timestamp (YYYYMMDDTHHMMSSZ). The timestamp is fixed through request.context, the way
botocore's own add_auth passes it to the signing steps.
"""
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

results = []
for item in json.load(sys.stdin):
    credentials = Credentials(item["access_key"], item["secret_key"], item.get("token"))
    auth = SigV4Auth(credentials, item["service"], item["region"])
    request = AWSRequest(method=item["method"], url=item["url"], data=item["body"].encode("utf-8"), headers=dict(item["headers"]))
    request.context["timestamp"] = item["timestamp"]
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    signed = auth.signed_headers(auth.headers_to_sign(request))
    scope = auth.scope(request)
    results.append({
        "authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature={signature}",
        "canonical_request": canonical,
    })
json.dump(results, sys.stdout)
