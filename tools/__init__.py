"""Book-building tools of the course (not part of the installed ``activations`` package).

``python -m tools.book build|fetch|pdf`` from the repository root; see README.
"""
