#!/usr/bin/env bash
# The README walkthrough, runnable: from login to a verified certificate, against a server
# started with `make run` (demo data loaded). Usage:
#   scripts/walkthrough.sh [BASE_URL] [SHARED_DATA_DIR]
# Needs curl and jq (1.6 or later). Every call's output is printed and checked; the script stops
# at the first unexpected answer. It can run again and again on the same server: what it creates
# is new each run (course code, bank name) or reused (the person of step 2).
# The README section "Walkthrough" is generated from this file (lines starting with `#:` are its
# prose): edit here, then `python3 scripts/walkthrough_readme.py --write`.
set -euo pipefail
step() { printf '\n== %s\n' "$*"; }

#: ```sh
#: scripts/walkthrough.sh http://127.0.0.1:8000 ../shared/data
#: ```
#:
#: It needs `curl` and `jq`. Sessions run in WIB, so "today" is taken in `Asia/Jakarta`. Each
#: output is checked: `expect JSON` wants exactly that answer, `must FILTER` wants the jq
#: filter to hold for it; the script stops at the first surprise. It can run any number of
#: times on the same server (each run makes its own course, session and bank).
B=${1:-http://127.0.0.1:8000}; DATA=${2:-../shared/data}; J='content-type: application/json'
TODAY=$(TZ=Asia/Jakarta date +%F); RUN=$(date +%s)
login() { curl -sSf -X POST "$B/api/v1/auth/login" -H "$J" \
  -d "{\"username\":\"$1\",\"password\":\"$2\"}" | jq -r .access_token; }
fail() { echo "walkthrough: $*" >&2; return 1; }
expect() { local got; got=$(jq -c .); echo "$got"
  [ "$(jq -cS . <<<"$got")" = "$(jq -ncS "$1")" ] || fail "expected $1"; }
must() { local got; got=$(jq -c .); echo "$got"; jq -e "$1" <<<"$got" >/dev/null || fail "expected $1"; }
ORG="Authorization: Bearer $(login organizer organizer-prima-2026)"

step "1. People"
#:
#: **People.** Create one (the NIP is checked: a real birth date, a TMT month 01–12, the sex
#: digit; a PPPK number is checked by its own rule), unless an earlier run did, and import the
#: organizer's list. The import takes `.xlsx` or `.csv` (`;` or `,`, BOM, CRLF, the Indonesian
#: headers), upserts by NIP, and answers a report per row; importing the same file again
#: changes nothing (the demo already loaded it).
NIP=199001152015032002
if [ "$(curl -sSf "$B/api/v1/people?q=$NIP" -H "$ORG" | jq .total)" = 0 ]; then
  curl -sSf -X POST "$B/api/v1/people" -H "$ORG" -H "$J" -d '{"name": "Siti Rahmawati",
    "back_title": "S.AP.", "asn_type": "pns", "nip": "'$NIP'",
    "golongan": "III/b", "jabatan": "Analis Perizinan"}' >/dev/null
fi
curl -sSf "$B/api/v1/people?q=$NIP" -H "$ORG" | jq '.items[0] | {full_name, nip_display, pangkat_golongan}' |
  expect '{"full_name": "Siti Rahmawati, S.AP.", "nip_display": "19900115 201503 2 002",
           "pangkat_golongan": "Penata Muda Tingkat I, III/b"}'
ADM="Authorization: Bearer $(login admin admin-prima-2026)"
curl -sSf -X POST "$B/api/v1/people/import" -H "$ADM" \
  -F "file=@$DATA/peserta_pelayanan_prima_angkatan_1.csv" | jq .message |
  expect '"27 data diproses: 0 baru, 0 diperbarui, 27 tidak berubah, 0 ditolak"'
#:
#: A file of more than 1,000 rows (people or enrollments) is imported by a job instead: the answer
#: is `202 {"job_id", "url"}`, `GET` the url until `status` is `succeeded`, and the report is the
#: job's `result`. A job cut short by a stopped server runs again at the next start (the import is
#: an upsert, so nothing is written twice). Only admins and organizers import or edit people and
#: units; HR reads them.
#:
#: (The organizer's scope is DPMPTSP and the units below it; people of the kecamatan and
#: kelurahan in that file belong to other units, so the city admin or an organizer of the city
#: imports them. A row outside the caller's scope is rejected with its row number.)

step "2. Course and session"
#:
#: **Course and session.** Modules carry the JP; the final score weights sum to 100; pass mark
#: and minimum attendance decide who passes. The session opens, the 27 are enrolled from the
#: same file (capacity and waitlist hold under concurrent requests), and it starts.
COURSE=$(curl -sSf -X POST "$B/api/v1/courses" -H "$ORG" -H "$J" -d '{"code": "PP-'$RUN'",
  "title": "Pelatihan Pelayanan Prima",
  "modules": [{"title": "Konsep Pelayanan Prima", "jp": 4}, {"title": "Standar Pelayanan", "jp": 4}],
  "pass_mark": 70.01, "min_attendance": 80,
  "weights": {"attendance": 10, "post_test": 60, "trainer_assessment": 30}}' | jq -r .id)
SESSION=$(curl -sSf -X POST "$B/api/v1/sessions" -H "$ORG" -H "$J" -d "{\"course_id\": \"$COURSE\",
  \"name\": \"Angkatan II\", \"start_date\": \"$TODAY\", \"end_date\": \"$TODAY\",
  \"capacity\": 30, \"venue\": \"Aula DPMPTSP\", \"city\": \"Padang Panjang\"}" | jq -r .id)
curl -sSf -X PATCH "$B/api/v1/sessions/$SESSION" -H "$ORG" -H "$J" -d '{"status": "open"}' |
  jq '{name, status}' | expect '{"name": "Angkatan II", "status": "open"}'
curl -sSf -X POST "$B/api/v1/sessions/$SESSION/enrollments/import" -H "$ORG" \
  -F "file=@$DATA/peserta_pelayanan_prima_angkatan_1.csv" | jq '{confirmed, waitlisted, rejected}' |
  expect '{"confirmed": 27, "waitlisted": 0, "rejected": 0}'
curl -sSf -X PATCH "$B/api/v1/sessions/$SESSION" -H "$ORG" -H "$J" -d '{"status": "running"}' |
  jq '{status}' | expect '{"status": "running"}'

step "3. Attendance"
#:
#: **Attendance.** The trainer (or organizer) shows a rotating six-digit code; a participant
#: checks in with it once a day. Staff mark the rest in bulk. The daftar hadir prints as a PDF.
CODE=$(curl -sSf "$B/api/v1/sessions/$SESSION/check-in-code" -H "$ORG" | jq -r .code)
PAR="Authorization: Bearer $(login participant peserta-prima-2026)"
curl -sSf -X POST "$B/api/v1/sessions/$SESSION/check-in" -H "$PAR" -H "$J" -d "{\"code\": \"$CODE\"}" |
  must '.status == "present"'
PEOPLE=$(curl -sSf "$B/api/v1/sessions/$SESSION/enrollments?limit=200" -H "$ORG" | jq -c '[.items[].person_id]')
curl -sSf -X POST "$B/api/v1/sessions/$SESSION/attendance" -H "$ORG" -H "$J" \
  -d "$(jq -nc --argjson p "$PEOPLE" --arg d "$TODAY" '[$p[] | {person_id: ., day: $d, status: "present"}]')" |
  expect '{"saved": 26, "created": 26, "updated": 0}'   # the participant had checked in
curl -sSf -o daftar-hadir.pdf "$B/api/v1/sessions/$SESSION/attendance-sheet.pdf?day=$TODAY" -H "$ORG"
head -c 5 daftar-hadir.pdf | jq -R . | expect '"%PDF-"'

step "4. Question bank and post-test"
#:
#: **Question bank and post-test.** Import the GIFT bank (every question type Moodle's reader
#: knows; a question it cannot read is reported with its line number), open a post-test that
#: draws five questions per participant, and take it as the participant: the questions come
#: without answer keys, each answer is saved durably as it is given, and the server enforces
#: the time limit. The participant studied the bank's "Dasar Hukum" questions (`KEY`: how each
#: question begins, and its right answer) and answers from that.
BANK=$(curl -sSf -X POST "$B/api/v1/question-banks" -H "$ORG" -H "$J" -d '{"name": "Bank Soal '$RUN'"}' | jq -r .id)
curl -sSf -X POST "$B/api/v1/question-banks/$BANK/import" -H "$ORG" \
  -F "file=@$DATA/bank_soal_pelayanan_prima.gift" | jq '{imported, errors: (.errors | length)}' |
  expect '{"imported": 23, "errors": 0}'
QUIZ=$(curl -sSf -X POST "$B/api/v1/sessions/$SESSION/quizzes" -H "$ORG" -H "$J" -d "{
  \"kind\": \"post_test\", \"title\": \"Post-test\", \"time_limit_minutes\": 30, \"selection\":
  {\"random\": [{\"bank_id\": \"$BANK\", \"category\": \"Pelayanan Prima/Dasar Hukum\", \"count\": 5}]}}" | jq -r .id)
ATTEMPT=$(curl -sSf -X POST "$B/api/v1/quizzes/$QUIZ/attempts" -H "$PAR"); AID=$(jq -r .id <<<"$ATTEMPT")
jq '[.questions[] | select(has("answer") or has("correct"))] | length' <<<"$ATTEMPT" | expect 0
KEY='[{"begins": "Undang-undang yang mengatur pelayanan publik", "option": "UU Nomor 25 Tahun 2009"},
  {"begins": "Survei Kepuasan Masyarakat wajib dilakukan", "option": "satu kali dalam setahun"},
  {"begins": "Maklumat pelayanan adalah", "value": true},
  {"begins": "Standar pelayanan cukup disimpan", "value": false},
  {"begins": "Berapa jumlah unsur Survei Kepuasan Masyarakat", "value": "9"},
  {"begins": "Jika nilai SKM tertimbang", "value": "80"}]'
jq -c --argjson key "$KEY" '.questions[] | . as $q
  | first($key[] | select(.begins as $b | $q.text | startswith($b))) as $k
  | {id, answer: (if .type == "single_choice"
      then {type, option_id: first(.options[] | select(.text == $k.option) | .id)}
      else {type, value: $k.value} end)}' <<<"$ATTEMPT" |
while read -r ANSWER; do
  curl -sSf -X PUT "$B/api/v1/attempts/$AID/answers/$(jq -r .id <<<"$ANSWER")" -H "$PAR" -H "$J" \
    -d "$(jq -c .answer <<<"$ANSWER")" | must '.saved_at != null'
done
curl -sSf -X POST "$B/api/v1/attempts/$AID/submit" -H "$PAR" | jq '{status, percent}' |
  expect '{"status": "submitted", "percent": "100.00"}'

step "5. Reports and results"
#:
#: **Reports and results.** Item analysis (`GET /api/v1/quizzes/{id}/analysis`), the learning
#: gain of the demo session, the trainers' assessment, then finalize: results freeze (a later
#: correction is an audited amendment) and the passed participants' JP go to the ledger. Only
#: our participant took the post-test, so only they pass. Finalize first checks a list
#: (`GET .../results/readiness`): the session's last day is over in its time zone, every essay
#: is graded, every participant submitted the post-test or is excused (one by one beforehand,
#: `PUT .../results/excusals/{person_id}` with a reason, or by name in finalize's `excused`),
#: and attendance is marked for every day. This session ends tonight and 26 skipped the post-test,
#: so finalizing now takes a written `override_reason`, kept in the audit log. Afterwards
#: attendance, attempts and grading answer 409 naming the amendment route.
DEMO=$(curl -sSf "$B/api/v1/sessions?limit=200" -H "$ORG" | jq -r '.items[] | select(.name == "Angkatan I") | .id')
curl -sSf "$B/api/v1/sessions/$DEMO/learning-gain" -H "$ORG" |
  jq '.summary | {mean_pre, mean_post, improved, class_normalized_gain}' |
  expect '{"mean_pre": "54.33", "mean_post": "80.75", "improved": 24, "class_normalized_gain": "0.5784"}'
curl -sSf -X PUT "$B/api/v1/sessions/$SESSION/component-scores" -H "$ORG" -H "$J" \
  -d "$(jq -nc --argjson p "$PEOPLE" '[$p[] | {person_id: ., component: "trainer_assessment", score: 85}]')" |
  jq '{entered: length, scores: ([.[].score] | unique)}' | expect '{"entered": 27, "scores": ["85.00"]}'
curl -sSf "$B/api/v1/sessions/$SESSION/results/readiness" -H "$ORG" |
  jq '[.checks[] | select(.ok | not) | .code]' | expect '["session_ended", "post_tests"]'
curl -sSf -X POST "$B/api/v1/sessions/$SESSION/results/finalize" -H "$ORG" -H "$J" \
  -d '{"override_reason": "Uji coba: hasil dibekukan sebelum sesi berakhir"}' |
  jq '{results, passed, failed, credited}' | expect '{"results": 27, "passed": 1, "failed": 26, "credited": 1}'
curl -sS -X POST "$B/api/v1/sessions/$SESSION/attendance" -H "$ORG" -H "$J" -d '[]' |
  jq '{status, amendment_route}' | must '.status == 409 and (.amendment_route | endswith("/{person_id}/amend"))'
curl -sSf "$B/api/v1/sessions/$SESSION/results?limit=200" -H "$ORG" |
  jq '.items[] | select(.passed) | {name, final_score, predikat}' |
  expect '{"name": "Afrizal, S.Sos.", "final_score": "95.50", "predikat": "Sangat Memuaskan"}'

step "6. Certificates"
#:
#: **Certificates.** Issuing runs as a job (rendered by a pool of worker processes, signed,
#: stored by SHA-256, numbered gap-free `001/PP/DPMPTSP/XI/2026`); re-running skips who
#: already has one (a revoked certificate too). Certificates wait until the session has ended,
#: so this one is issued tomorrow. Download one PDF, the session's ZIP, or one merged PDF.
curl -sS -X POST "$B/api/v1/sessions/$SESSION/certificates" -H "$ORG" -H "$J" -d '{}' |
  jq '{status, detail}' | must '.status == 422 and (.detail | endswith("setelah hari terakhir sesi."))'
SESSION=$DEMO
JOB=$(curl -sSf -X POST "$B/api/v1/sessions/$SESSION/certificates" -H "$ORG" -H "$J" -d '{}' | jq -r .job_id)
while curl -sSf "$B/api/v1/jobs/$JOB" -H "$ORG" | jq -e '.status == "queued" or .status == "running"' >/dev/null; do
  sleep 1; done
curl -sSf "$B/api/v1/jobs/$JOB" -H "$ORG" | jq '{status, done, total, errors}' |
  must '.status == "succeeded" and .done == .total and .errors == []'
CERT=$(curl -sSf "$B/api/v1/certificates?session_id=$SESSION" -H "$PAR" | jq -c '.items[0]')
jq '{holder_name, status}' <<<"$CERT" | expect '{"holder_name": "Afrizal, S.Sos.", "status": "valid"}'
curl -sSf -o sertifikat.pdf "$B/api/v1/certificates/$(jq -r .id <<<"$CERT")/pdf" -H "$PAR"
head -c 5 sertifikat.pdf | jq -R . | expect '"%PDF-"'
curl -sSf -o angkatan-2.zip "$B/api/v1/sessions/$SESSION/certificates.zip" -H "$ORG"
head -c 2 angkatan-2.zip | jq -R . | expect '"PK"'

step "7. Verification"
#:
#: **Verification.** The QR code on the certificate opens `/verify/{code}`, a page for phones in
#: Indonesian (`?lang=en` for English) that shows SAH / DICABUT / KEDALUWARSA / DIGANTI;
#: machines use the JSON twin. HR verifies a list of numbers or codes (or a CSV/XLSX of them)
#: in one call, and an uploaded PDF byte for byte: an edited PDF is not ours even when its text
#: matches. A certificate is revoked with `POST /api/v1/certificates/{id}/revoke`
#: (`{"category": "salah_data", "reason": "NIP salah ketik"}`; the record stays, status
#: DICABUT) and replaced with `POST /api/v1/certificates/{id}/reissue`. A revoked certificate
#: downloads with a DICABUT stamp (revocation date and category) over a copy, the stored
#: original kept as issued, and its page shows no validity date; an admin can reinstate it.
CODE=$(jq -r .code <<<"$CERT")
curl -sSf "$B/api/v1/verify/$CODE" | jq '{status_label, holder: .holder.name, course}' |
  expect '{"status_label": "SAH", "holder": "Afrizal, S.Sos.", "course": "Pelatihan Pelayanan Prima"}'
curl -sSf "$B/verify/$CODE" | grep -o '<span class="status-word">SAH</span>' | jq -R . |
  expect '"<span class=\"status-word\">SAH</span>"'
HR="Authorization: Bearer $(login hr hr-prima-2026)"
curl -sSf -X POST "$B/api/v1/verify/pdf" -H "$HR" -F "file=@sertifikat.pdf" |
  jq '{ours, status: .certificate.status}' | expect '{"ours": true, "status": "valid"}'
curl -sSf -X POST "$B/api/v1/verify/batch" -H "$HR" -H "$J" \
  -d "{\"items\": [\"$(jq -r .number <<<"$CERT")\", \"999/XX\"]}" | jq '[.items[] | .status_label // "tidak ditemukan"]' |
  expect '["SAH", "tidak ditemukan"]'
CERT_ID=$(jq -r .id <<<"$CERT")
curl -sSf -X POST "$B/api/v1/certificates/$CERT_ID/revoke" -H "$ORG" -H "$J" \
  -d '{"category": "salah_data", "reason": "NIP salah ketik"}' | jq '{status}' | expect '{"status": "revoked"}'
curl -sSf -o dicabut.pdf "$B/api/v1/certificates/$CERT_ID/pdf" -H "$ORG"
pdftotext dicabut.pdf - | grep -o 'DICABUT - sertifikat ini tidak berlaku\|Kategori: Kesalahan data' | jq -R . |
  jq -s unique | expect '["DICABUT - sertifikat ini tidak berlaku", "Kategori: Kesalahan data"]'
curl -sSf "$B/api/v1/verify/$CODE" | jq '{status_label, shows_valid_until: (.valid_until != null)}' |
  expect '{"status_label": "DICABUT", "shows_valid_until": false}'
curl -sSf -X POST "$B/api/v1/certificates/$CERT_ID/reinstate" -H "$ADM" -H "$J" \
  -d '{"reason": "Contoh pencabutan selesai"}' | jq '{status}' | expect '{"status": "valid"}'

step "8. HR: JP and service quality"
#:
#: **HR: JP and service quality.** Who is short of the yearly 20 JP (`?format=xlsx` for
#: Excel), an ASN's transcript (its QR code opens `/transkrip/{code}`), the SIASN export, and whether the training moved DPMPTSP's
#: service-satisfaction index (IKM; `&format=pdf` for the report). A new SKM file is uploaded
#: with `POST /api/v1/skm/surveys` (`-F unit_id=... -F file=@survei.csv`).
curl -sSf "$B/api/v1/reports/jp-compliance?year=$(date +%Y)" -H "$HR" |
  jq '{unit: .summary.code, below_target: [.below_target[].name]}' |
  must '.unit == "PEMKOT-PPJ" and (.below_target | index("Siti Rahmawati, S.AP.")) != null'
curl -sSf -o transkrip.pdf "$B/api/v1/people/$(jq -r .person_id <<<"$CERT")/transcript.pdf" -H "$HR"
head -c 5 transkrip.pdf | jq -R . | expect '"%PDF-"'
# Its QR code opens the public check of that printed copy (no login; the NIP masked).
CHECK=$(pdftotext transkrip.pdf - | grep -o 'Kode pemeriksaan: [0-9A-Z-]*' | head -1 | cut -d' ' -f3)
curl -sSf "$B/transkrip/$CHECK" | grep -o 'Transkrip ini tercatat di Prima' | head -1 | jq -R . |
  expect '"Transkrip ini tercatat di Prima"'
curl -sSf "$B/api/v1/reports/siasn-export?year=$(date +%Y)&format=csv" -H "$HR" | head -1 | jq -R . |
  must 'ltrimstr("\ufeff") | startswith("nip;jenisDiklatId;namaKursus")'   # ";" and a BOM: Excel opens it in columns
UNIT=$(curl -sSf "$B/api/v1/units?limit=200" -H "$HR" | jq -r '.items[] | select(.code == "DPMPTSP-PPJ") | .id')
curl -sSf "$B/api/v1/reports/training-impact?unit_id=$UNIT" -H "$HR" | jq '[.periods[] | {period, ikm, category}]' |
  expect '[{"period": "2025-S1", "ikm": "77.22", "category": "B"}, {"period": "2026-S1", "ikm": "80.42", "category": "B"}]'
#:
#: Errors are RFC 9457 problem details (`application/problem+json`) with Indonesian `detail`
#: and, for invalid fields, `errors: [{field, message, source}]` naming the field as sent
#: (`modules`, `[0].status`, `limit`), with the allowed values of an enum and the format of a
#: date; an object outside the caller's scope answers 404. Bodies that are not UTF-8, nest
#: deeper than 32 levels or carry a NUL (`\u0000`, or `%00` in the address) answer 400 on every
#: route. Change your own password with `POST /api/v1/auth/password` (`current_password`,
#: `new_password`): every token issued before stops working and the answer carries a new one.
#:
#: Formats: every timestamp is RFC 3339 in UTC with `Z` (`2026-11-18T01:00:00Z`), and where
#: people read a session's wall clock it is also given as `*_local` (`starts_at_local`:
#: `2026-11-18T08:00:00`); JP, scores, percentages and IKM are strings with two decimals
#: (`"24.00"`), NRR and ratios four (`"0.3750"`).
echo; echo "walkthrough: every step gave the expected answer"
