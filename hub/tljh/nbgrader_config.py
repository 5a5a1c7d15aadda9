"""nbgrader for every user of the course's TLJH: copy to /opt/tljh/user/etc/jupyter/nbgrader_config.py."""

c = get_config()  # noqa: F821 (provided by traitlets)
c.CourseDirectory.course_id = "korean-thaw"
c.Exchange.root = "/srv/nbgrader/exchange"
