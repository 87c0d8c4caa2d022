"""GIFT reader: the Moodle examples and the pelayanan prima bank, question by question."""

from collections import Counter
from decimal import Decimal
from typing import Any

from courses.assessments.questions.gift import GiftError, parse_gift
from courses.assessments.questions.model import (
    Description,
    Essay,
    Matching,
    MultipleChoice,
    Numerical,
    NumericAnswer,
    QuestionBase,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
    question_type,
)
from courses.assessments.questions.numeric import format_decimal
from tests.conftest import SHARED_DATA

DATA = SHARED_DATA
MOODLE_EXAMPLES = DATA / "moodle_gift_examples.txt"
BANK = DATA / "bank_soal_pelayanan_prima.gift"


def summary(question: QuestionBase) -> tuple[Any, ...]:
    """What a reader must get right, in a form a table can spell out.

    Choices and answers are ``(text, weight %, feedback)``; numerical answers ``"value:tol"``
    or ``"min..max"``; matching ``([(item, answer)], [distractors])``; true/false
    ``(correct, feedback_true, feedback_false)``. Format and general feedback appear only when
    they are not the defaults.
    """
    extra: dict[str, str] = {}
    if question.text_format != "moodle":
        extra["format"] = question.text_format
    if question.general_feedback:
        extra["general_feedback"] = question.general_feedback
    body: Any = None
    if isinstance(question, SingleChoice | MultipleChoice):
        body = [(o.text, format_decimal(o.weight), o.feedback) for o in question.options]
    elif isinstance(question, TrueFalse):
        body = (question.correct, question.feedback_true, question.feedback_false)
    elif isinstance(question, ShortAnswer):
        body = [(a.text, format_decimal(a.weight), a.feedback) for a in question.answers]
    elif isinstance(question, Numerical):
        body = [(_numeric(a), format_decimal(a.weight), a.feedback) for a in question.answers]
    elif isinstance(question, Matching):
        answers = {choice.id: choice.text for choice in question.choices}
        body = (
            [(item.text, answers[item.choice_id]) for item in question.items],
            [choice.text for choice in question.distractors()],
        )
    head = (question_type(question), question.title, question.text, body)
    return head + ((extra,) if extra else ())


def _numeric(answer: NumericAnswer) -> str:
    if answer.value is not None:
        return f"{format_decimal(answer.value)}:{format_decimal(answer.tolerance)}"
    assert answer.minimum is not None and answer.maximum is not None
    return f"{format_decimal(answer.minimum)}..{format_decimal(answer.maximum)}"


MOODLE_EXPECTED = [
    (
        8,
        (
            "single_choice",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("Grant", "0", ""), ("Jefferson", "0", ""), ("no one", "100", "")],
        ),
    ),
    (
        10,
        (
            "single_choice",
            "Grant is _____ in Grant's tomb.",
            "Grant is _____ in Grant's tomb.",
            [("buried", "0", ""), ("entombed", "100", ""), ("living", "0", "")],
        ),
    ),
    (
        12,
        (
            "true_false",
            "Grant is buried in Grant's tomb.",
            "Grant is buried in Grant's tomb.",
            (False, "", ""),
        ),
    ),
    (
        14,
        (
            "short_answer",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("no one", "100", ""), ("nobody", "100", "")],
        ),
    ),
    (
        16,
        (
            "numerical",
            "When was Ulysses S. Grant born?",
            "When was Ulysses S. Grant born?",
            [("1822:1", "100", "")],
        ),
    ),
    (
        25,
        (
            "single_choice",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("Grant", "0", ""), ("Jefferson", "0", ""), ("no one", "100", "")],
        ),
    ),
    (
        27,
        (
            "single_choice",
            "Grant is _____ in Grant's tomb.",
            "Grant is _____ in Grant's tomb.",
            [("buried", "0", ""), ("entombed", "100", ""), ("living", "0", "")],
        ),
    ),
    (
        29,
        (
            "single_choice",
            "The American holiday of Thanksgiving is celebrated on the _____ Thursday of...",
            "The American holiday of Thanksgiving is celebrated on the _____ Thursday of November.",
            [("second", "0", ""), ("third", "0", ""), ("fourth", "100", "")],
        ),
    ),
    (
        35,
        (
            "single_choice",
            "Japanese characters originally came from what country?",
            "Japanese characters originally came from what country?",
            [("India", "0", ""), ("China", "100", ""), ("Korea", "0", ""), ("Egypt", "0", "")],
        ),
    ),
    (
        43,
        (
            "short_answer",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("no one", "100", ""), ("nobody", "100", "")],
        ),
    ),
    (
        45,
        (
            "short_answer",
            "Two plus two equals _____.",
            "Two plus two equals _____.",
            [("four", "100", ""), ("4", "100", "")],
        ),
    ),
    (
        49,
        (
            "true_false",
            "Grant is buried in Grant's tomb.",
            "Grant is buried in Grant's tomb.",
            (False, "", ""),
        ),
    ),
    (
        51,
        ("true_false", "The sun rises in the east.", "The sun rises in the east.", (True, "", "")),
    ),
    (
        55,
        (
            "matching",
            "Matching Question.",
            "Matching Question.",
            (
                [
                    ("subquestion1", "subanswer1"),
                    ("subquestion2", "subanswer2"),
                    ("subquestion3", "subanswer3"),
                ],
                [],
            ),
        ),
    ),
    (
        61,
        (
            "matching",
            "Match the following countries with their corresponding capitals.",
            "Match the following countries with their corresponding capitals.",
            (
                [
                    ("Canada", "Ottawa"),
                    ("Italy", "Rome"),
                    ("Japan", "Tokyo"),
                    ("India", "New Delhi"),
                ],
                [],
            ),
        ),
    ),
    (
        70,
        (
            "numerical",
            "When was Ulysses S. Grant born?",
            "When was Ulysses S. Grant born?",
            [("1822:0", "100", "")],
        ),
    ),
    (
        72,
        (
            "numerical",
            "What is the value of pi (to 3 decimal places)? _____.",
            "What is the value of pi (to 3 decimal places)? _____.",
            [("3.1415:0.0005", "100", "")],
        ),
    ),
    (
        74,
        (
            "numerical",
            "What is the value of pi (to 3 decimal places)? _____.",
            "What is the value of pi (to 3 decimal places)? _____.",
            [("3.141..3.142", "100", "")],
        ),
    ),
    (
        76,
        (
            "numerical",
            "When was Ulysses S. Grant born?",
            "When was Ulysses S. Grant born?",
            [("1822:0", "100", ""), ("1822:2", "50", "")],
        ),
    ),
    (85, ("numerical", "What's 2 plus 2?", "What's 2 plus 2?", [("4:0", "100", "")])),
    (
        90,
        (
            "short_answer",
            "Kanji Origins",
            "Japanese characters originally\ncame from what country?",
            [("China", "100", "")],
        ),
    ),
    (
        93,
        (
            "single_choice",
            "Thanksgiving Date",
            (
                "The American holiday of Thanksgiving is\ncelebrated on the _____ Thursday of "
                "November."
            ),
            [("second", "0", ""), ("third", "0", ""), ("fourth", "100", "")],
        ),
    ),
    (
        98,
        (
            "single_choice",
            "What's the answer to this multiple-choice question?",
            "What's the answer to this multiple-choice question?",
            [
                ("wrong answer", "0", "feedback comment on the wrong answer"),
                ("another wrong answer", "0", "feedback comment on this wrong answer"),
                ("right answer", "100", "Very good!"),
            ],
        ),
    ),
    (
        103,
        (
            "short_answer",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("no one", "100", "excellent answer!"), ("nobody", "100", "excellent answer!")],
        ),
    ),
    (
        108,
        (
            "short_answer",
            "Who's buried in **Grant's tomb**?",
            "Who's buried in **Grant's tomb**?",
            [("no one", "100", "excellent answer!"), ("nobody", "100", "excellent answer!")],
            {"format": "markdown"},
        ),
    ),
    (
        113,
        (
            "true_false",
            "Grant is buried in Grant's tomb.",
            "Grant is buried in Grant's tomb.",
            (False, "No one is buried in Grant's tomb.", ""),
        ),
    ),
    (
        115,
        (
            "single_choice",
            "Difficult question.",
            "Difficult question.",
            [
                ("wrong answer", "0", ""),
                ("half credit answer", "50", ""),
                ("full credit answer", "100", ""),
            ],
        ),
    ),
    (
        117,
        (
            "single_choice",
            "Jesus' hometown",
            "Jesus Christ was from _____.",
            [
                ("Jerusalem", "0", "This was an important city, but the wrong answer."),
                ("Bethlehem", "25", "He was born here, but not raised here."),
                ("Galilee", "50", "You need to be more specific."),
                ("Nazareth", "100", "Yes! That's right!"),
            ],
        ),
    ),
    (
        123,
        (
            "short_answer",
            "Jesus' hometown",
            "Jesus Christ was from",
            [
                ("Nazareth", "100", "Yes! That's right!"),
                ("Nazereth", "75", "Right, but misspelled."),
                ("Bethlehem", "25", "He was born here, but not raised here."),
            ],
        ),
    ),
    (
        130,
        (
            "multiple_choice",
            "What two people are entombed in Grant's tomb?",
            "What two people are entombed in Grant's tomb?",
            [
                ("No one", "0", ""),
                ("Grant", "50", ""),
                ("Grant's wife", "50", ""),
                ("Grant's father", "0", ""),
            ],
        ),
    ),
    (
        136,
        (
            "multiple_choice",
            "What two people are entombed in Grant's tomb?",
            "What two people are entombed in Grant's tomb?",
            [
                ("No one", "-50", ""),
                ("Grant", "50", ""),
                ("Grant's wife", "50", ""),
                ("Grant's father", "-50", ""),
            ],
        ),
    ),
    (
        143,
        (
            "single_choice",
            "Which answer equals 5?",
            "Which answer equals 5?",
            [("= 2 + 2", "0", ""), ("= 2 + 3", "100", ""), ("= 2 + 4", "0", "")],
        ),
    ),
    (
        148,
        (
            "single_choice",
            "GIFT Control Characters",
            "Which of the following is NOT a control character for the GIFT import format?",
            [
                ("~", "0", "~ is a control character."),
                ("=", "0", "= is a control character."),
                ("#", "0", "# is a control character."),
                ("{", "0", "{ is a control character."),
                ("}", "0", "} is a control character."),
                (
                    "\\",
                    "100",
                    (
                        "Correct! \\ (backslash) is not a control character. BUT,\nit is used to "
                        "escape the control characters. So, to specify\na literal backslash, you "
                        "must escape it with a backslash\n(as shown in this example)."
                    ),
                ),
            ],
        ),
    ),
    (
        167,
        (
            "single_choice",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("Grant", "0", ""), ("Jefferson", "0", ""), ("no one", "100", "")],
        ),
    ),
    (
        169,
        (
            "single_choice",
            "Grant is _____ in Grant's tomb.",
            "Grant is _____ in Grant's tomb.",
            [("buried", "0", ""), ("entombed", "100", ""), ("living", "0", "")],
        ),
    ),
    (
        171,
        (
            "true_false",
            "Grant is buried in Grant's tomb.",
            "Grant is buried in Grant's tomb.",
            (False, "", ""),
        ),
    ),
    (
        173,
        (
            "short_answer",
            "Who's buried in Grant's tomb?",
            "Who's buried in Grant's tomb?",
            [("no one", "100", ""), ("nobody", "100", "")],
        ),
    ),
    (
        175,
        (
            "numerical",
            "When was Ulysses S. Grant born?",
            "When was Ulysses S. Grant born?",
            [("1822:5", "100", "")],
        ),
    ),
    (
        177,
        (
            "matching",
            "Match the following countries with their corresponding capitals.",
            "Match the following countries with their corresponding\ncapitals.",
            ([("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo")], []),
        ),
    ),
    (
        184,
        (
            "single_choice",
            "Grant's Tomb",
            "Grant is _____ in Grant's tomb.",
            [
                ("buried", "0", "No one is buried there."),
                ("entombed", "100", "Right answer!"),
                ("living", "0", "We hope not!"),
            ],
        ),
    ),
    (
        190,
        (
            "single_choice",
            "Difficult multiple choice question.",
            "Difficult multiple choice question.",
            [
                ("wrong answer", "0", "comment on wrong answer"),
                ("half credit answer", "50", "comment on answer"),
                ("full credit answer", "100", "well done!"),
            ],
        ),
    ),
    (
        195,
        (
            "short_answer",
            "Jesus' hometown (Short answer ex.)",
            "Jesus Christ was from _____.",
            [
                ("Nazareth", "100", "Yes! That's right!"),
                ("Nazereth", "75", "Right, but misspelled."),
                ("Bethlehem", "25", "He was born here, but not raised here."),
            ],
        ),
    ),
    (
        202,
        (
            "numerical",
            "Numerical example",
            "When was Ulysses S. Grant born?",
            [
                ("1822:0", "100", "Correct! 100% credit"),
                ("1822:2", "50", "He was born in 1822.\nYou get 50% credit for being close."),
            ],
        ),
    ),
]

BANK_EXPECTED = [
    (
        6,
        (
            "single_choice",
            "UU Pelayanan Publik",
            "Undang-undang yang mengatur pelayanan publik di Indonesia adalah",
            [
                ("UU Nomor 25 Tahun 2009", "100", "Benar. UU 25/2009 tentang Pelayanan Publik."),
                (
                    "UU Nomor 5 Tahun 2014",
                    "0",
                    "UU 5/2014 mengatur ASN dan sudah diganti UU 20/2023.",
                ),
                (
                    "UU Nomor 14 Tahun 2008",
                    "0",
                    "UU 14/2008 mengatur keterbukaan informasi publik.",
                ),
                ("UU Nomor 23 Tahun 2014", "0", "UU 23/2014 mengatur pemerintahan daerah."),
            ],
        ),
    ),
    (
        13,
        (
            "true_false",
            "Maklumat",
            (
                "Maklumat pelayanan adalah pernyataan tertulis penyelenggara tentang kesanggupan "
                "dan kewajibannya melaksanakan pelayanan sesuai standar pelayanan."
            ),
            (True, "", ""),
        ),
    ),
    (
        15,
        (
            "true_false",
            "Standar pelayanan wajib dipublikasikan",
            (
                "Standar pelayanan cukup disimpan sebagai dokumen internal dan tidak perlu "
                "dipublikasikan kepada masyarakat."
            ),
            (
                False,
                (
                    "Standar pelayanan wajib dipublikasikan agar masyarakat mengetahui hak dan "
                    "kewajibannya."
                ),
                "",
            ),
        ),
    ),
    (
        17,
        (
            "numerical",
            "Jumlah unsur SKM",
            (
                "Berapa jumlah unsur Survei Kepuasan Masyarakat menurut PermenPANRB Nomor 14 Tahun "
                "2017?"
            ),
            [("9:0", "100", "")],
        ),
    ),
    (
        19,
        (
            "single_choice",
            "Frekuensi SKM",
            "Survei Kepuasan Masyarakat wajib dilakukan oleh setiap unit pelayanan paling sedikit",
            [
                ("satu kali dalam setahun", "100", ""),
                ("satu kali dalam lima tahun", "0", ""),
                ("setiap bulan", "0", ""),
                ("hanya jika ada pengaduan", "0", ""),
            ],
        ),
    ),
    (
        26,
        (
            "numerical",
            "Konversi IKM",
            (
                "Jika nilai SKM tertimbang sebuah unit adalah 3,2 (skala 1–4), berapakah nilai "
                "IKM-nya pada skala 25–100?"
            ),
            [("80:0.01", "100", "")],
        ),
    ),
    (
        30,
        (
            "single_choice",
            "Konsep A3",
            'Konsep pelayanan prima "A3" terdiri atas',
            [
                ("Attitude, Attention, Action", "100", ""),
                ("Accuracy, Ability, Accountability", "0", ""),
                ("Attitude, Ability, Appearance", "0", ""),
                ("Action, Answer, Agreement", "0", ""),
            ],
        ),
    ),
    (
        37,
        (
            "multiple_choice",
            "Berorientasi Pelayanan",
            (
                'Perilaku mana saja yang termasuk nilai "Berorientasi Pelayanan" dalam BerAKHLAK? '
                "(pilih semua yang benar)"
            ),
            [
                ("Memahami dan memenuhi kebutuhan masyarakat", "33.33333", ""),
                ("Ramah, cekatan, solutif, dan dapat diandalkan", "33.33333", ""),
                ("Melakukan perbaikan tiada henti", "33.33334", ""),
                ("Mendahulukan keluarga dan kerabat dalam antrean", "-50", ""),
                ("Meminta imbalan agar berkas diproses lebih cepat", "-50", ""),
            ],
        ),
    ),
    (
        45,
        (
            "short_answer",
            "Semboyan abdi negara",
            'Lengkapi semboyan: "Bukan meminta dilayani, tetapi harus _____."',
            [("melayani", "100", "")],
        ),
    ),
    (
        47,
        (
            "single_choice",
            "Pemohon marah",
            (
                "Seorang pemohon datang dengan marah karena berkasnya belum selesai. Tindakan "
                "pertama yang paling tepat adalah"
            ),
            [
                ("mendengarkan keluhannya dengan tenang dan menunjukkan empati", "100", ""),
                ("meminta satpam mengeluarkannya dari ruang layanan", "0", ""),
                ("menjelaskan bahwa keterlambatan adalah kesalahan pemohon", "0", ""),
                ("menyuruhnya kembali minggu depan tanpa penjelasan", "0", ""),
            ],
        ),
    ),
    (
        54,
        (
            "true_false",
            "Persyaratan tambahan",
            (
                "Petugas boleh menambah persyaratan di luar ketentuan standar pelayanan apabila "
                "dianggap perlu oleh petugas loket."
            ),
            (
                False,
                (
                    'Persyaratan di luar ketentuan tidak boleh ditambahkan: "apabila sesuai '
                    'persyaratan, kenapa harus menambah persyaratan di luar ketentuan".'
                ),
                "",
            ),
        ),
    ),
    (
        56,
        (
            "matching",
            "Pasangan nilai dan perilaku",
            "Pasangkan nilai dasar ASN BerAKHLAK dengan perilakunya.",
            (
                [
                    ("Berorientasi Pelayanan", "Memahami dan memenuhi kebutuhan masyarakat"),
                    (
                        "Akuntabel",
                        "Melaksanakan tugas dengan jujur, bertanggung jawab, cermat, disiplin",
                    ),
                    ("Kompeten", "Terus belajar dan mengembangkan kapabilitas"),
                    ("Harmonis", "Menghargai setiap orang apa pun latar belakangnya"),
                ],
                [],
            ),
        ),
    ),
    (
        63,
        (
            "true_false",
            "Gratis",
            (
                "Jika sebuah layanan gratis menurut standar pelayanan, petugas boleh menerima "
                '"uang terima kasih" asal pemohon memberikannya dengan sukarela.'
            ),
            (False, "", ""),
        ),
    ),
    (
        67,
        (
            "single_choice",
            "Unsur SKM kompetensi",
            "Unsur SKM yang paling langsung diukur dari keterampilan petugas loket adalah",
            [
                ("Kompetensi pelaksana", "100", ""),
                ("Biaya/tarif", "0", ""),
                ("Sarana dan prasarana", "0", ""),
                ("Persyaratan", "0", ""),
            ],
        ),
    ),
    (
        74,
        (
            "single_choice",
            "Unsur SKM perilaku",
            "Kesopanan dan keramahan petugas dinilai pada unsur SKM",
            [
                ("Perilaku pelaksana", "100", ""),
                ("Produk spesifikasi jenis pelayanan", "0", ""),
                ("Waktu penyelesaian", "0", ""),
                ("Sistem, mekanisme, dan prosedur", "0", ""),
            ],
        ),
    ),
    (
        81,
        (
            "single_choice",
            "Mutu A",
            "Unit pelayanan dengan nilai IKM 90,00 memperoleh mutu pelayanan",
            [
                ("A (Sangat Baik)", "100", ""),
                ("B (Baik)", "0", ""),
                ("C (Kurang Baik)", "0", ""),
                ("D (Tidak Baik)", "0", ""),
            ],
        ),
    ),
    (
        88,
        (
            "numerical",
            "Batas mutu B",
            "Nilai IKM paling rendah untuk mutu pelayanan B (Baik) adalah",
            [("76.61:0.005", "100", "")],
        ),
    ),
    (
        90,
        (
            "short_answer",
            "Lama layanan",
            (
                "Menurut arahan pimpinan daerah, tidak boleh lagi ada layanan administrasi yang "
                "memakan waktu sampai empat atau lima _____."
            ),
            [("hari", "100", "")],
        ),
    ),
    (
        92,
        (
            "single_choice",
            "Saluran pengaduan",
            (
                "Pengelolaan pengaduan yang baik mencakup saluran pengaduan yang jelas, tindak "
                "lanjut yang terukur, dan"
            ),
            [
                ("umpan balik kepada pelapor", "100", ""),
                ("merahasiakan hasil tindak lanjut dari pelapor", "0", ""),
                ("penghapusan pengaduan setelah 24 jam", "0", ""),
                ("pengaduan hanya lewat surat tertulis", "0", ""),
            ],
        ),
    ),
    (
        99,
        (
            "single_choice",
            "Ombudsman zona hijau",
            "Dalam penilaian kepatuhan Ombudsman tahun 2021, nilai 81,00–100 termasuk zona",
            [("hijau", "100", ""), ("kuning", "0", ""), ("merah", "0", ""), ("biru", "0", "")],
        ),
    ),
    (
        106,
        (
            "essay",
            "Refleksi",
            (
                "Tuliskan satu perubahan konkret yang akan Anda terapkan di loket pelayanan unit "
                "kerja Anda setelah pelatihan ini, beserta cara mengukur keberhasilannya."
            ),
            None,
        ),
    ),
    (
        108,
        (
            "true_false",
            "Antrean",
            (
                "Sistem antrean yang adil memperlakukan setiap pemohon sesuai urutan kedatangan "
                "kecuali kelompok rentan (lansia, penyandang disabilitas, ibu hamil) yang mendapat "
                "prioritas."
            ),
            (True, "", ""),
        ),
    ),
    (
        110,
        (
            "single_choice",
            "Inovasi",
            "Salah satu contoh inovasi pelayanan di DPMPTSP adalah",
            [
                ("perizinan berusaha terintegrasi secara elektronik", "100", ""),
                ("menambah jumlah tanda tangan basah pada setiap berkas", "0", ""),
                ("membatasi jam buka loket menjadi dua jam sehari", "0", ""),
                ("mewajibkan fotokopi berkas rangkap lima", "0", ""),
            ],
        ),
    ),
]


def test_every_moodle_example_reads_as_moodle_reads_it() -> None:
    result = parse_gift(MOODLE_EXAMPLES.read_text(encoding="utf-8"))

    assert result.errors == []
    assert [(p.line, summary(p.question)) for p in result.questions] == MOODLE_EXPECTED
    assert all(p.category == () and p.question.category == () for p in result.questions)


def test_moodle_examples_counts_per_type() -> None:
    result = parse_gift(MOODLE_EXAMPLES.read_text(encoding="utf-8"))

    assert Counter(question_type(p.question) for p in result.questions) == {
        "single_choice": 16,
        "short_answer": 9,
        "numerical": 8,
        "true_false": 5,
        "matching": 3,
        "multiple_choice": 2,
    }


def test_every_bank_question_reads_with_its_answers_and_feedback() -> None:
    result = parse_gift(BANK.read_bytes())

    assert result.errors == []
    assert [(p.line, summary(p.question)) for p in result.questions] == BANK_EXPECTED


def test_bank_counts_per_type() -> None:
    result = parse_gift(BANK.read_bytes())

    assert len(result.questions) == 23
    assert Counter(question_type(p.question) for p in result.questions) == {
        "single_choice": 10,
        "true_false": 5,
        "numerical": 3,
        "short_answer": 2,
        "multiple_choice": 1,
        "matching": 1,
        "essay": 1,
    }


def test_bank_categories_follow_the_category_lines() -> None:
    result = parse_gift(BANK.read_bytes())

    by_category = Counter(p.category for p in result.questions)
    assert by_category == {
        ("Pelayanan Prima", "Dasar Hukum"): 6,
        ("Pelayanan Prima", "Sikap dan Perilaku"): 7,
        ("Pelayanan Prima", "Pengaduan dan Mutu"): 10,
    }
    for parsed in result.questions:
        assert parsed.question.category == parsed.category
        expected = (
            "Dasar Hukum"
            if parsed.line < 28
            else "Sikap dan Perilaku"
            if parsed.line < 65
            else "Pengaduan dan Mutu"
        )
        assert parsed.category == ("Pelayanan Prima", expected)


def test_bank_weights_are_exact_decimals() -> None:
    result = parse_gift(BANK.read_bytes())
    question = next(p.question for p in result.questions if p.line == 37)

    assert isinstance(question, MultipleChoice)
    assert [o.weight for o in question.options] == [
        Decimal("33.33333"),
        Decimal("33.33333"),
        Decimal("33.33334"),
        Decimal("-50"),
        Decimal("-50"),
    ]
    assert sum(o.weight for o in question.options if o.weight > 0) == Decimal("100")


def test_escapes_title_and_general_feedback() -> None:
    source = (
        "::Judul \\: dengan titik dua::Berapa 2 \\+ 2 \\{kurung\\}? {\n"
        "  =empat \\= 4#Benar \\# sekali\n"
        "  ~lima\\~#Salah\\nbaris dua\n"
        "  ####Umpan balik \\{umum\\}\n"
        "}\n"
    )

    [parsed] = parse_gift(source).questions

    assert summary(parsed.question) == (
        "single_choice",
        "Judul : dengan titik dua",
        "Berapa 2 \\+ 2 {kurung}?",
        [("empat = 4", "100", "Benar # sekali"), ("lima~", "0", "Salah\nbaris dua")],
        {"general_feedback": "Umpan balik {umum}"},
    )


def test_format_markers_apply_to_text_answers_and_feedback() -> None:
    source = (
        "[html]<p>Pilih <b>satu</b></p>{=[html]<i>ya</i>#[html]<b>ok</b> ~tidak####<p>umum</p>}"
    )

    [parsed] = parse_gift(source).questions

    assert summary(parsed.question) == (
        "single_choice",
        "Pilih satu",
        "<p>Pilih <b>satu</b></p>",
        [("<i>ya</i>", "100", "<b>ok</b>"), ("tidak", "0", "")],
        {"format": "html", "general_feedback": "<p>umum</p>"},
    )


def test_unknown_bracket_at_start_stays_text() -> None:
    [parsed] = parse_gift("[Info] Baca dulu.{T}").questions

    assert parsed.question.text == "[Info] Baca dulu."
    assert parsed.question.text_format == "moodle"


def test_plain_and_markdown_formats() -> None:
    result = parse_gift("[plain]a < b?{T}\n\n[markdown]**tebal**{}\n")

    assert [(q.question.text_format, q.question.text) for q in result.questions] == [
        ("plain", "a < b?"),
        ("markdown", "**tebal**"),
    ]


def test_true_false_spellings_and_feedback_order() -> None:
    source = (
        "Satu{T}\n\nDua{TRUE#salah pilih#tepat}\n\nTiga{F}\n\n"
        "Empat{FALSE#kurang tepat#betul####catatan}\n"
    )

    result = parse_gift(source)

    assert [summary(p.question)[3:] for p in result.questions] == [
        ((True, "", ""),),
        ((True, "tepat", "salah pilih"),),
        ((False, "", ""),),
        ((False, "kurang tepat", "betul"), {"general_feedback": "catatan"}),
    ]


def test_lowercase_t_is_a_short_answer_as_in_moodle() -> None:
    [parsed] = parse_gift("Huruf pertama alfabet Latin ke-20?{t}").questions

    assert isinstance(parsed.question, ShortAnswer)
    assert parsed.question.answers[0].text == "t"


def test_numerical_forms() -> None:
    source = (
        "A{#1822}\n\n"
        "B{#3.1415:0.0005}\n\n"
        "C{#-5..-1}\n\n"
        "D{#80,5:0,25}\n\n"
        "E{#\n=%100%10:0#tepat\n=%33.5%10:1#dekat\n=%10%1..100\n~#jauh sekali\n####umum\n}\n"
    )

    result = parse_gift(source)

    assert result.errors == []
    assert [summary(p.question)[3:] for p in result.questions] == [
        ([("1822:0", "100", "")],),
        ([("3.1415:0.0005", "100", "")],),
        ([("-5..-1", "100", "")],),
        ([("80.5:0.25", "100", "")],),
        (
            [("10:0", "100", "tepat"), ("10:1", "33.5", "dekat"), ("1..100", "10", "")],
            {"general_feedback": "umum"},
        ),
    ]
    last = result.questions[-1].question
    assert isinstance(last, Numerical)
    assert last.other_feedback == "jauh sekali"


def test_matching_with_distractors_and_shared_answers() -> None:
    source = (
        "Pasangkan.{\n"
        "=Senin -> hari kerja\n"
        "=Selasa -> hari kerja\n"
        "=Minggu -> hari libur\n"
        "= -> bulan\n"
        "}"
    )

    [parsed] = parse_gift(source).questions
    question = parsed.question

    assert isinstance(question, Matching)
    assert summary(question)[3] == (
        [("Senin", "hari kerja"), ("Selasa", "hari kerja"), ("Minggu", "hari libur")],
        ["bulan"],
    )
    assert [(c.id, c.text) for c in question.choices] == [
        ("a", "bulan"),
        ("b", "hari kerja"),
        ("c", "hari libur"),
    ]
    assert [(i.id, i.choice_id) for i in question.items] == [("1", "b"), ("2", "b"), ("3", "c")]


def test_essay_and_description() -> None:
    source = (
        "::Pengantar::Bagian berikut membahas SKM.\n\n"
        "::Refleksi::Tulis pendapat Anda.{####Nilai: kejelasan dan contoh.}\n"
    )

    result = parse_gift(source)

    first, second = (p.question for p in result.questions)
    assert isinstance(first, Description)
    assert (first.title, first.text, first.points) == (
        "Pengantar",
        "Bagian berikut membahas SKM.",
        Decimal(0),
    )
    assert isinstance(second, Essay)
    assert second.general_feedback == "Nilai: kejelasan dan contoh."


def test_missing_word_keeps_the_blank_position() -> None:
    result = parse_gift("Ibu kota {=Jakarta} ada di Jawa.\n\nIbu kota RI adalah {=Jakarta}\n")

    assert [p.question.text for p in result.questions] == [
        "Ibu kota _____ ada di Jawa.",
        "Ibu kota RI adalah",
    ]


def test_choice_without_equals_is_multiple_choice() -> None:
    [parsed] = parse_gift("Pilih dua.{~%50%a ~%50%b ~c}").questions

    assert isinstance(parsed.question, MultipleChoice)


def test_category_lines() -> None:
    source = (
        "Tanpa kategori{T}\n\n"
        "$CATEGORY: $course$/top/Pelayanan Prima/Dasar//Hukum\n\n"
        "Satu{T}\n\n"
        "$CATEGORY:   Alpha / Beta  \n"
        "Langsung di bawahnya{F}\n\n"
        "$CATEGORY:\n\n"
        "Kembali ke akar{T}\n"
    )

    result = parse_gift(source)

    assert result.errors == []
    assert [(p.line, p.category) for p in result.questions] == [
        (1, ()),
        (5, ("Pelayanan Prima", "Dasar/Hukum")),
        (8, ("Alpha", "Beta")),
        (12, ()),
    ]


def test_comments_inside_a_question_and_untitled_names() -> None:
    source = "// pembuka\nApa warna langit?\n// komentar di tengah soal\n{=biru ~hijau}\n"

    [parsed] = parse_gift(source).questions

    assert parsed.line == 2
    assert parsed.question.text == "Apa warna langit?"
    assert parsed.question.title == "Apa warna langit?"


def test_long_untitled_question_gets_a_short_title() -> None:
    text = "Kata " * 30 + "terakhir?"

    [parsed] = parse_gift(text + "{T}").questions

    assert parsed.question.title == ("Kata " * 16).strip() + "..."
    assert len(parsed.question.title) <= 83


def test_bytes_with_bom_crlf_and_windows_1252() -> None:
    utf8 = "\ufeff::Judul::Soal é?{T}\r\n\r\n::Dua::Lagi?{F}\r\n".encode()
    ansi = "::Judul::Soal é?{T}\r\n".encode("cp1252")

    assert [(p.line, p.question.title) for p in parse_gift(utf8).questions] == [
        (1, "Judul"),
        (3, "Dua"),
    ]
    assert parse_gift(ansi).questions[0].question.text == "Soal é?"


BROKEN = """\
// Berkas dengan soal rusak di antara soal yang baik.

::Baik 1::Soal pertama {=a ~b}

::Kurung tidak ditutup::Teks {=a ~b

::Baik 2::Pernyataan benar.{T}

::Pasangan tanpa panah::Pasangkan {
  =a -> 1
  =b 2
}

::Angka bukan angka::Berapa? {#sembilan}

::Dua blok::Pilih {=a ~b} lalu {=c ~d}

::Satu pilihan::Pilih {~a}

::Bobot terlalu besar::Pilih {=a ~%150%b}

::Tanpa jawaban benar::Pilih {~a ~b}

::Pilihan kosong::Pilih {=a ~ ~b}

::Rentang terbalik::Berapa? {#10..1}

::Isian negatif::Kata? {=%-50%x =y}

::Satu pasangan::Pasangkan {=a -> 1}

::Tutup dulu::Teks } lalu {=a ~b

::Baik 3::Berapa 2 + 2? {#4}
"""


def test_broken_questions_report_their_line_and_the_rest_imports() -> None:
    result = parse_gift(BROKEN)

    assert [(p.line, p.question.title) for p in result.questions] == [
        (3, "Baik 1"),
        (7, "Baik 2"),
        (34, "Baik 3"),
    ]
    assert [(e.line, e.message) for e in result.errors] == [
        (
            5,
            "Kurung kurawal { } jawaban tidak berpasangan. Tulis kurung kurawal di dalam teks "
            "sebagai \\{ dan \\}.",
        ),
        (9, "Pasangan menjodohkan 'b 2' harus ditulis '=soal -> jawaban'."),
        (14, "Jawaban numerik 'sembilan' tidak valid: 'sembilan' bukan angka yang valid."),
        (
            16,
            "Soal memuat lebih dari satu blok jawaban { }. Tulis kurung kurawal di dalam "
            "teks sebagai \\{ dan \\}.",
        ),
        (18, "Soal pilihan membutuhkan paling sedikit 2 pilihan jawaban."),
        (20, "Bobot pilihan harus antara -100% dan 100%."),
        (22, "Soal pilihan tidak memiliki jawaban benar: tandai dengan = atau bobot ~%n% positif."),
        (24, "Pilihan jawaban ke-2 kosong."),
        (
            26,
            "Jawaban numerik '10..1' tidak valid: Batas bawah rentang lebih besar daripada "
            "batas atas.",
        ),
        (28, "Bobot jawaban harus antara 0% dan 100%."),
        (30, "Soal menjodohkan membutuhkan paling sedikit 2 pasangan."),
        (
            32,
            "Kurung kurawal { } jawaban tidak berpasangan. Tulis kurung kurawal di dalam teks "
            "sebagai \\{ dan \\}.",
        ),
    ]
    assert result.errors[0] == GiftError(
        line=5, message=result.errors[0].message, snippet="::Kurung tidak ditutup::Teks {=a ~b"
    )
    assert result.errors[1].snippet == "::Pasangan tanpa panah::Pasangkan { =a -> 1 =b 2 }"


def test_blank_line_inside_braces_breaks_the_question_as_in_moodle() -> None:
    source = "Pilih {\n=a\n\n~b\n}\n\nBaik{T}\n"

    result = parse_gift(source)

    assert [p.line for p in result.questions] == [7]
    assert [e.line for e in result.errors] == [1, 4]


def test_empty_file() -> None:
    assert parse_gift("") == parse_gift("// hanya komentar\n\n\n")
    assert parse_gift("").questions == [] and parse_gift("").errors == []
