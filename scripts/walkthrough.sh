#!/usr/bin/env bash
# The README walkthrough as one script: from login to a verified certificate, against a
# server started with `make run` (demo data loaded). Usage:
#   scripts/walkthrough.sh [BASE_URL] [SHARED_DATA_DIR]
# Needs curl and jq.
set -euo pipefail
B=${1:-http://127.0.0.1:8000}
DATA=${2:-../shared/data}
TODAY=$(TZ=Asia/Jakarta date +%F)   # sessions run in WIB; check-in only works on a session day
J='content-type: application/json'

login() {
  curl -sf -X POST "$B/api/v1/auth/login" -H "$J" \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .access_token
}
step() { printf '\n== %s\n' "$*"; }

step "1. Log in as the organizer"
ORG="Authorization: Bearer $(login organizer organizer-prima-2026)"
curl -sf "$B/api/v1/auth/me" -H "$ORG" | jq -c .

step "2. Create a person (NIP checked: birth date, TMT month, sex digit)"
curl -s -X POST "$B/api/v1/people" -H "$ORG" -H "$J" -d '{
  "name": "Siti Rahmawati", "back_title": "S.AP.", "asn_type": "pns",
  "nip": "199001152015032002", "golongan": "III/b", "jabatan": "Analis Perizinan"}' \
  | jq -c '{id, full_name, nip_display, pangkat_golongan}'

step "3. The city admin imports the participant file (Excel CSV: BOM, ';', CRLF): the demo loaded it, so all unchanged"
ADM="Authorization: Bearer $(login admin admin-prima-2026)"
curl -sf -X POST "$B/api/v1/people/import" -H "$ADM" \
  -F "file=@$DATA/peserta_pelayanan_prima_angkatan_1.csv" | jq -c '{created, updated, unchanged, rejected, message}'

step "4. A course (modules with JP, weights, pass rules) and a session today"
COURSE=$(curl -sf -X POST "$B/api/v1/courses" -H "$ORG" -H "$J" -d '{
  "code": "PP-'"$(date +%H%M%S)"'", "title": "Pelatihan Pelayanan Prima",
  "modules": [{"title": "Konsep Pelayanan Prima", "jp": 4}, {"title": "Standar Pelayanan", "jp": 4}],
  "pass_mark": 70, "min_attendance": 80,
  "weights": {"attendance": 10, "post_test": 60, "trainer_assessment": 30}}' | jq -r .id)
SESSION=$(curl -sf -X POST "$B/api/v1/sessions" -H "$ORG" -H "$J" -d "{
  \"course_id\": \"$COURSE\", \"name\": \"Angkatan II\", \"start_date\": \"$TODAY\",
  \"end_date\": \"$TODAY\", \"capacity\": 30, \"venue\": \"Aula DPMPTSP\", \"city\": \"Padang Panjang\"}" | jq -r .id)
curl -sf -X PATCH "$B/api/v1/sessions/$SESSION" -H "$ORG" -H "$J" -d '{"status": "open"}' | jq -c '{name, status}'

step "5. Enroll the 27 from the same file"
curl -sf -X POST "$B/api/v1/sessions/$SESSION/enrollments/import" -H "$ORG" \
  -F "file=@$DATA/peserta_pelayanan_prima_angkatan_1.csv" | jq -c '{total_rows, confirmed, waitlisted, rejected}'
curl -sf -X PATCH "$B/api/v1/sessions/$SESSION" -H "$ORG" -H "$J" -d '{"status": "running"}' | jq -c '{status}'

step "6. Check in: the trainer shows a rotating code, the participant sends it"
CODE=$(curl -sf "$B/api/v1/sessions/$SESSION/check-in-code" -H "$ORG" | jq -r .code)
PAR="Authorization: Bearer $(login participant peserta-prima-2026)"
curl -sf -X POST "$B/api/v1/sessions/$SESSION/check-in" -H "$PAR" -H "$J" -d "{\"code\": \"$CODE\"}" | jq -c .
# everyone else is marked present in bulk by the organizer
PEOPLE=$(curl -sf "$B/api/v1/sessions/$SESSION/enrollments?limit=200" -H "$ORG" | jq -c '[.items[].person_id]')
curl -sf -X POST "$B/api/v1/sessions/$SESSION/attendance" -H "$ORG" -H "$J" \
  -d "$(jq -nc --argjson p "$PEOPLE" --arg d "$TODAY" '[$p[] | {person_id: ., day: $d, status: "present"}]')" | jq -c .

step "7. The daftar hadir (sign-in sheet) as PDF"
curl -sf -o daftar-hadir.pdf "$B/api/v1/sessions/$SESSION/attendance-sheet.pdf?day=$TODAY" -H "$ORG"
head -c 5 daftar-hadir.pdf; echo " daftar-hadir.pdf ($(wc -c < daftar-hadir.pdf) bytes)"

step "8. Import the GIFT question bank and open a post-test"
BANK=$(curl -sf -X POST "$B/api/v1/question-banks" -H "$ORG" -H "$J" -d '{"name": "Bank Walkthrough"}' | jq -r .id)
curl -sf -X POST "$B/api/v1/question-banks/$BANK/import" -H "$ORG" \
  -F "file=@$DATA/bank_soal_pelayanan_prima.gift" | jq -c '{imported, by_type, errors: (.errors | length)}'
QUIZ=$(curl -sf -X POST "$B/api/v1/sessions/$SESSION/quizzes" -H "$ORG" -H "$J" -d "{
  \"kind\": \"post_test\", \"title\": \"Post-test\", \"time_limit_minutes\": 30,
  \"selection\": {\"random\": [{\"bank_id\": \"$BANK\", \"category\": \"Pelayanan Prima/Dasar Hukum\", \"count\": 5}]}}" | jq -r .id)

step "9. The participant takes it: questions come without answer keys; each answer autosaves"
ATTEMPT=$(curl -sf -X POST "$B/api/v1/quizzes/$QUIZ/attempts" -H "$PAR")
AID=$(echo "$ATTEMPT" | jq -r .id)
echo "$ATTEMPT" | jq -c '.questions[0] | {type, text, options}'
echo "$ATTEMPT" | jq -c '.questions[] | select(.type == "single_choice") | {id, option: .options[0].id}' |
while read -r q; do
  curl -sf -X PUT "$B/api/v1/attempts/$AID/answers/$(echo "$q" | jq -r .id)" -H "$PAR" -H "$J" \
    -d "{\"type\": \"single_choice\", \"option_id\": \"$(echo "$q" | jq -r .option)\"}" | jq -c .
done
curl -sf -X POST "$B/api/v1/attempts/$AID/submit" -H "$PAR" | jq -c '{status, score, max_score, percent}'

step "10. Learning gain of the demo session (pre vs post), then finalize this session"
DEMO_SESSION=$(curl -sf "$B/api/v1/sessions?limit=200" -H "$ORG" | jq -r '.items[] | select(.name == "Angkatan I") | .id')
curl -sf "$B/api/v1/sessions/$DEMO_SESSION/learning-gain" -H "$ORG" | jq -c '.summary | {paired, mean_pre, mean_post, mean_gain, improved, class_normalized_gain}'
curl -sf -X PUT "$B/api/v1/sessions/$SESSION/component-scores" -H "$ORG" -H "$J" \
  -d "$(jq -nc --argjson p "$PEOPLE" '[$p[] | {person_id: ., component: "trainer_assessment", score: 85}]')" >/dev/null
curl -sf -X POST "$B/api/v1/sessions/$SESSION/results/finalize" -H "$ORG" | jq -c '{results, passed, failed, credited}'

step "11. Issue certificates (a background job) and download one"
JOB=$(curl -sf -X POST "$B/api/v1/sessions/$DEMO_SESSION/certificates" -H "$ORG" -H "$J" -d '{}' | jq -r .job_id)
until [ "$(curl -sf "$B/api/v1/jobs/$JOB" -H "$ORG" | jq -r .status)" != running ] &&
      [ "$(curl -sf "$B/api/v1/jobs/$JOB" -H "$ORG" | jq -r .status)" != queued ]; do sleep 1; done
curl -sf "$B/api/v1/jobs/$JOB" -H "$ORG" | jq -c '{status, done, total, errors}'
CERT=$(curl -sf "$B/api/v1/certificates?session_id=$DEMO_SESSION&limit=1" -H "$PAR" | jq -c '.items[0]')
echo "$CERT" | jq -c '{number, code, status}'
curl -sf -o sertifikat.pdf "$B/api/v1/certificates/$(echo "$CERT" | jq -r .id)/pdf" -H "$PAR"
echo "sertifikat.pdf ($(wc -c < sertifikat.pdf) bytes)"

step "12. Anyone verifies it by its code (the QR code's link), HR by uploading the PDF"
CODE=$(echo "$CERT" | jq -r .code)
curl -sf "$B/api/v1/verify/$CODE" | jq -c '{status, number, holder, course: .course.title? // .course}'
curl -sf "$B/verify/$CODE" | grep -o 'SAH' | head -1
HR="Authorization: Bearer $(login hr hr-prima-2026)"
curl -sf -X POST "$B/api/v1/verify/pdf" -H "$HR" -F "file=@sertifikat.pdf" | jq -c '{ours, status: .certificate.status}'

step "13. HR: who is short of 20 JP this year, and did the training move the IKM?"
curl -sf "$B/api/v1/reports/jp-compliance?year=$(date +%Y)" -H "$HR" | jq -c '.totals // .summary // (. | keys)'
UNIT=$(curl -sf "$B/api/v1/units?limit=200" -H "$HR" | jq -r '.items[] | select(.code == "DPMPTSP-PPJ") | .id')
curl -sf "$B/api/v1/reports/training-impact?unit_id=$UNIT" -H "$HR" | jq -c '.periods[]? | {period, ikm, category}'
