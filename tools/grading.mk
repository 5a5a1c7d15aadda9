# Instructor targets: nbgrader with the course's config (assignments/nbgrader_config.py).
# Included by the top-level Makefile. Workflow and examples: course/grading.md.
#
#   make release   [ASSIGNMENT=a1-sources]         student versions -> assignments/release/
#   make collect   SUBMISSIONS=folder [ASSIGNMENT=x] copy submissions -> assignments/submitted/
#   make autograde [ASSIGNMENT=x] [STUDENTS=a,b] [JOBS=n]  grade on every core, report per student
#   make report    [ASSIGNMENT=x]                  rewrite assignments/reports/<x>.md
#   make feedback  [ASSIGNMENT=x]                  feedback HTML (no hidden tests) -> assignments/feedback/
#   make export    [GRADES=file.csv]               one row per student and assignment, status + flags
#   make validate  NB=path/to/notebook.ipynb       the students' self-check (see course/submitting.md)
#
# ROSTER=file.csv (column id) overrides assignments/students.csv.

COURSE      ?= assignments
ASSIGNMENT  ?=
SUBMISSIONS ?=
STUDENTS    ?=
ROSTER      ?=
GRADES      ?=
NB          ?=

JOBS        ?=

# The instructor's command, from the package koreathaw_grading (src/koreathaw_grading/).
GRADING = $(BIN)/koreathaw-grade --course "$(COURSE)" $(if $(ROSTER),--roster "$(ROSTER)")

.PHONY: release collect autograde autograde-serial report feedback export validate grading-help

grading-help:
	@sed -n '3,13p' tools/grading.mk | sed 's/^# \{0,1\}//'

release: setup
	$(GRADING) release $(ASSIGNMENT)

collect: setup
	@test -n "$(SUBMISSIONS)" || { echo "usage: make collect SUBMISSIONS=folder [ASSIGNMENT=a1-sources]"; exit 2; }
	$(GRADING) collect "$(SUBMISSIONS)" $(ASSIGNMENT)

autograde: setup sandbox-deps
	$(GRADING) autograde $(ASSIGNMENT) $(if $(STUDENTS),--students "$(STUDENTS)") $(if $(JOBS),--jobs $(JOBS))

autograde-serial: setup sandbox-deps
	$(GRADING) autograde --serial $(ASSIGNMENT) $(if $(STUDENTS),--students "$(STUDENTS)")

report: setup
	$(GRADING) report $(ASSIGNMENT)

feedback: setup
	$(GRADING) feedback $(ASSIGNMENT)

export: setup
	$(GRADING) export $(if $(GRADES),--output "$(GRADES)")

validate: setup
	@test -n "$(NB)" || { echo "usage: make validate NB=path/to/notebook.ipynb"; exit 2; }
	$(GRADING) validate "$(abspath $(NB))"
