"""A small stand-in LMS: users, courses, enrolments, completions, grades, certificates, cohorts."""
