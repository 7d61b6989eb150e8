"""Line-at-a-time lexers (Python, Markdown) and the line-state machines they define.

The bottom layer of the engine: knows text, nothing of documents, vocabulary or LSP.
"""
