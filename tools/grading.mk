# Instructor targets: nbgrader with the course's config (assignments/nbgrader_config.py).
# Included by the top-level Makefile. Workflow and examples: course/grading.md.
#
#   make release   [ASSIGNMENT=a1-sources] [DUEDATE="2026-03-01 17:00"]  student versions -> assignments/release/
#   make collect   SUBMISSIONS=folder|zip [ASSIGNMENT=x] submissions (folders, Canvas, Moodle) -> submitted/
#   make autograde [ASSIGNMENT=x] [STUDENTS=a,b] [JOBS=n]  grade on every core, report per student
#   make grade-manual ASSIGNMENT=x STUDENT=s CELL=c SCORE=n [COMMENT=...]  a written answer, by hand
#   make report    [ASSIGNMENT=x]                  assignments/reports/<x>.md and .html (the class, in figures)
#   make feedback  [ASSIGNMENT=x] [STUDENTS=a,b]   feedback HTML (no hidden tests) -> assignments/feedback/
#   make export    [GRADES=file.csv] [ASSIGNMENT=x] [FORMAT=long|wide|canvas|moodle]  grades for a spreadsheet or an LMS
#   make validate  NB=path/to/notebook.ipynb       the students' self-check (see course/submitting.md);
#                  a path with spaces works when quoted: make validate NB="my folder/a1-sources.ipynb"
#   make student-edition                           what students get: dist/student/ and dist/korean-thaw-student.zip
#
# ROSTER=file.csv (column id) overrides assignments/students.csv.

COURSE      ?= assignments
ASSIGNMENT  ?=
SUBMISSIONS ?=
STUDENTS    ?=
ROSTER      ?=
GRADES      ?=
NB          ?=
DUEDATE     ?=
FORMAT      ?= long
STUDENT     ?=
CELL        ?=
SCORE       ?=
COMMENT     ?=

JOBS        ?=

# The instructor's command, from the package koreathaw_grading (src/koreathaw_grading/).
GRADING = $(BIN)/koreathaw-grade --course "$(COURSE)" $(if $(ROSTER),--roster "$(ROSTER)")

.PHONY: release collect autograde autograde-serial grade-manual report feedback export validate student-edition grading-help

grading-help:
	@sed -n '3,16p' tools/grading.mk | sed 's/^# \{0,1\}//'

release: setup
	$(GRADING) release $(ASSIGNMENT) $(if $(DUEDATE),--duedate "$(DUEDATE)")

collect: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make collect SUBMISSIONS=folder-or-zip [ASSIGNMENT=a1-sources]"; exit 2; }
	$(GRADING) collect "$(SUBMISSIONS)" $(ASSIGNMENT)

autograde: setup sandbox-deps
	$(GRADING) autograde $(ASSIGNMENT) $(if $(STUDENTS),--students "$(STUDENTS)") $(if $(JOBS),--jobs $(JOBS))

autograde-serial: setup sandbox-deps
	$(GRADING) autograde --serial $(ASSIGNMENT) $(if $(STUDENTS),--students "$(STUDENTS)")

report: setup
	$(GRADING) report $(ASSIGNMENT)

feedback: setup
	$(GRADING) feedback $(ASSIGNMENT) $(if $(STUDENTS),--students "$(STUDENTS)")

export: setup
	$(GRADING) export $(if $(GRADES),--output "$(GRADES)") $(if $(ASSIGNMENT),--assignment "$(ASSIGNMENT)") --format "$(FORMAT)"

grade-manual: setup
	@test -n "$(ASSIGNMENT)" -a -n "$(STUDENT)" -a -n "$(CELL)" -a -n "$(SCORE)" || { echo "usage: make grade-manual ASSIGNMENT=a4-synthesis STUDENT=kim01 CELL=argument SCORE=3 [COMMENT='...']"; exit 2; }
	$(GRADING) grade-manual "$(ASSIGNMENT)" "$(STUDENT)" "$(CELL)" "$(SCORE)" $(if $(COMMENT),--comment "$(COMMENT)")

validate: setup
	@test -n "$(NB)" || { echo "usage: make validate NB=path/to/notebook.ipynb"; exit 2; }
	$(GRADING) validate "$(NB)"

student-edition: setup
	$(GRADING) edition
