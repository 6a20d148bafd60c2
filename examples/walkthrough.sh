#!/usr/bin/env bash
# One truck from declaration to CLEARED through the HTTP API, against a running `npm start`.
# Usage: examples/walkthrough.sh [API_URL]   (the admin password is read from .data/admin-password)
set -euo pipefail
API=${1:-http://127.0.0.1:3000}
ADMIN_PASSWORD=${ADMIN_PASSWORD:-$(cat "${DATA_DIR:-.data}/admin-password")}
RUN=$(date +%s)
json() { node -e "const v=JSON.parse(require('fs').readFileSync(0,'utf8'));console.log($1)"; }
# Every state change carries an Idempotency-Key: a retried request then has one effect. One key per intended action.
post() { curl -sS -X "$1" "$API$2" -H "authorization: Bearer $3" -H 'content-type: application/json' -H "Idempotency-Key: $RUN-$4-$RANDOM" -d "$5"; }
login() { curl -sS "$API/v1/auth/login" -H 'content-type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" | json v.token; }

ADMIN=$(login admin "$ADMIN_PASSWORD")
account() { # role, [extra JSON]
  post POST /v1/accounts "$ADMIN" "$1" "{\"username\":\"$(echo "$1" | tr 'A-Z_' 'a-z-')-$RUN\",\"password\":\"walk past the quiet barrier\",\"role\":\"$1\",\"gates\":[\"HUU_NGHI\"]${2:-}}" >/dev/null
  login "$(echo "$1" | tr 'A-Z_' 'a-z-')-$RUN" "walk past the quiet barrier"
}
COMPANY=$(account DECLARANT ',"companyTaxCode":"0101234567"')
HEALTH=$(account HEALTH_OFFICER)
GUARD=$(account BORDER_GUARD)
CUSTOMS=$(account CUSTOMS_OFFICER)
FEES=$(account FEE_COLLECTOR)

echo "1. The company declares a truck of natural rubber at Hữu Nghị"
ID=$(post POST /v1/crossings "$COMPANY" declare '{
  "gate": "HUU_NGHI", "direction": "EXPORT", "priority": null, "customsDeclarationNo": "305123456789",
  "vehicle": { "plate": "12C-123.45", "trailerPlate": "12R-012.34", "country": "VN", "grossWeightKg": 32000 },
  "driver": { "fullName": "Nguyen Van A", "idNumber": "001090012345", "nationality": "VN", "phone": "+84912345678" },
  "health": { "temperatureC": 36.8, "symptoms": [], "declaredAt": "2026-11-22T08:00:00+07:00" },
  "containers": [ { "number": "MSCU1234566", "sealNo": "SL123456" } ],
  "goods": [ { "hsCode": "40012200", "description": "Natural rubber TSR 20", "quantity": 20, "unit": "PALLET",
               "netWeightKg": 20000, "valueUsd": 34000, "origin": "VN" } ],
  "transshipment": false }' | json v.id)
echo "   crossing $ID"

decide() { # token, step, body
  post POST "/v1/crossings/$ID/steps/$2/decision" "$1" "$2" "$3" | json '`   ${v.status}, now at ${v.currentStep ?? "(none)"}`'
}
echo "2. Health check";         decide "$HEALTH" health-check '{"outcome":"APPROVE"}'
echo "3. Barrier 1 (entry)";    decide "$GUARD" border-entry '{"outcome":"APPROVE"}'
echo "4. Customs returns the form: the weight does not match the scan"
decide "$CUSTOMS" customs-inspection '{"outcome":"RETURN","reason":"Weight does not match the scan","fields":[{"path":"goods.0.netWeightKg","message":"scan shows 19,500 kg"}]}'
echo "5. The company resubmits a corrected form"
curl -sS "$API/v1/crossings/$ID" -H "authorization: Bearer $COMPANY" | json 'JSON.stringify({...v.declaration, goods: [{...v.declaration.goods[0], netWeightKg: 19500}]})' > /tmp/walkthrough-v2.json
post PUT "/v1/crossings/$ID/declaration" "$COMPANY" resubmit "$(cat /tmp/walkthrough-v2.json)" | json '`   version ${v.declarationVersion}, ${v.status}, now at ${v.currentStep}`'
echo "6. Customs inspection";   decide "$CUSTOMS" customs-inspection '{"outcome":"APPROVE"}'
echo "7. Fee paid directly";    decide "$FEES" fee-payment '{"outcome":"APPROVE","receiptNo":"BL-000123"}'
echo "8. Barrier 2 (exit)";     decide "$GUARD" border-exit '{"outcome":"APPROVE"}'
echo "History:"
curl -sS "$API/v1/crossings/$ID/history" -H "authorization: Bearer $COMPANY" \
  | json 'v.items.map(e => `   ${e.at}  ${e.type.padEnd(24)} ${(e.step ?? "").padEnd(20)} ${e.actor?.username ?? ""}`).join("\n")'
echo "9. The gate pass (PDF with a QR code anyone can verify)"
curl -sS -o "gate-pass-$ID.pdf" "$API/v1/crossings/$ID/documents/gate-pass" -H "authorization: Bearer $COMPANY"
echo "   saved gate-pass-$ID.pdf"
