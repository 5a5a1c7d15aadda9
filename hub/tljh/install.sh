#!/usr/bin/env bash
# The Korean Thaw course on an installed Littlest JupyterHub (course/hub.md, "The Littlest JupyterHub").
# Run as root from the top of the course repository, on the TLJH server:   sudo bash hub/tljh/install.sh
# Idempotent. What it does, in order: the course into TLJH's user environment (pinned, non-editable), its
# kernel and Jupyter settings; the grader account owning the course; PostgreSQL with the gradebook (peer
# authentication, no password); nbgrader's exchange; the student edition in /etc/skel (every new home gets
# it); the hub config (korean-thaw.py); private homes.
set -euo pipefail
cd "$(dirname "$0")/../.."

COURSE=korean-thaw
GRADER=grader-korean-thaw
DATABASE=korean_thaw_gradebook
EXCHANGE=/srv/nbgrader/exchange
USER_ENV=/opt/tljh/user
CONFIG=/opt/tljh/config

[ "$(id -u)" = 0 ] || { echo "run as root (sudo)"; exit 2; }
[ -x "$USER_ENV/bin/python" ] || { echo "no TLJH user environment in $USER_ENV: install TLJH first"; exit 2; }

# 1. the course, its kernel and settings, for every user
apt-get install -y -qq --no-install-recommends postgresql bubblewrap >/dev/null
"$USER_ENV/bin/python" -m pip install --quiet -c requirements.lock "$(grep -i '^hatchling==' requirements.lock)"
"$USER_ENV/bin/python" -m pip install --quiet -c requirements.lock --no-build-isolation ".[course,hub]"
"$USER_ENV/bin/python" -m ipykernel install --sys-prefix --name koreathaw --display-name "Python 3 (Korean Thaw)"
mkdir -p "$USER_ENV/etc/jupyter" "$USER_ENV/share/jupyter/lab/settings"
cp .jupyter/overrides.json "$USER_ENV/share/jupyter/lab/settings/"
cp .jupyter/jupyter_server_config.json .jupyter/jupyter_server_config.py "$USER_ENV/etc/jupyter/"
cp hub/tljh/nbgrader_config.py "$USER_ENV/etc/jupyter/nbgrader_config.py"
mkdir -p "$CONFIG/jupyter-student/labconfig"
cat > "$CONFIG/jupyter-student/jupyter_server_config.json" <<'JSON'
{"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": false,
                                       "nbgrader.server_extensions.course_list": false}}}
JSON
cat > "$CONFIG/jupyter-student/labconfig/page_config.json" <<'JSON'
{"disabledExtensions": {"@jupyter/nbgrader:formgrader": true, "@jupyter/nbgrader:create-assignment": true,
                        "@jupyter/nbgrader:course-list": true}}
JSON
chmod -R a+rX "$CONFIG/jupyter-student"

# 2. the grader account and its course (never readable by students)
id "$GRADER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash --comment koreathaw-hub "$GRADER"
install -d -o "$GRADER" -g "$GRADER" -m 700 "/home/$GRADER/korean-thaw/assignments" "/home/$GRADER/.jupyter"
cp -r assignments/source assignments/nbgrader_config.py "/home/$GRADER/korean-thaw/assignments/"
printf 'load_subconfig(%s)\n' "'/home/$GRADER/korean-thaw/assignments/nbgrader_config.py'" > "/home/$GRADER/.jupyter/nbgrader_config.py"
chown -R "$GRADER:$GRADER" "/home/$GRADER"
chmod 700 "/home/$GRADER" assignments/source

# 3. the gradebook: Debian's PostgreSQL, the grader's role by peer authentication, closed to everyone else
systemctl enable --now postgresql >/dev/null 2>&1 || pg_ctlcluster "$(pg_lsclusters --no-header | awk 'NR==1{print $1}')" main start || true
runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -c "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$GRADER') THEN CREATE ROLE \"$GRADER\" LOGIN; END IF; END\$\$;"
runuser -u postgres -- psql -X -q -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'" | grep -q 1 \
  || runuser -u postgres -- createdb -O "$GRADER" "$DATABASE"
runuser -u postgres -- psql -X -q -c "REVOKE ALL ON DATABASE \"$DATABASE\" FROM PUBLIC"

# 4. nbgrader's exchange: the root open to all (sticky), the course's folders made now, owned by the grader
install -d -m 1777 "$EXCHANGE"
install -d -o "$GRADER" -g "$GRADER" -m 755 "$EXCHANGE/$COURSE" "$EXCHANGE/$COURSE/outbound"
install -d -o "$GRADER" -g "$GRADER" -m 2733 "$EXCHANGE/$COURSE/inbound"
install -d -o "$GRADER" -g "$GRADER" -m 711 "$EXCHANGE/$COURSE/feedback"

# 5. the student edition (never the repository) in every new user's home, through /etc/skel
PATH="$USER_ENV/bin:$PATH" "$USER_ENV/bin/koreathaw-grade" --course assignments edition --output /var/tmp/korean-thaw-edition
rm -rf /etc/skel/korean-thaw && cp -r /var/tmp/korean-thaw-edition/student /etc/skel/korean-thaw

# 6. the hub: the course's service, groups and roles; private homes for every user TLJH made
install -m 644 hub/tljh/korean-thaw.py "$CONFIG/jupyterhub_config.d/korean-thaw.py"
for home in /home/jupyter-*; do [ -d "$home" ] && chmod 700 "$home"; done
tljh-config reload hub
echo "done: open the hub, log in as an instructor, and go to /services/$COURSE/"
