"""Making the PDF: templates, the in-process engine, the worker pool, QR codes, signing and the
content-addressed file store."""
