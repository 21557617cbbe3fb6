"""One module per lab, named after it: each holds that lab's demonstrations and summary.

``layers`` (01-layers), ``multistage`` (02-multistage), ``jre`` (03-jre-alpine), ``jlink``
(04-jlink) and ``native`` (05-native); notebooks reach them as ``sl.<module>``. A lab module
never imports another: what two labs share lives in ``slimlab.views`` (tables and views) or
the rest of the package.
"""
