"""HTML pages, one module per role: auth, patients, lab, review, cohort, admin."""
