"""Jupyter server settings of the course: `make lab` and tests/test_live_jupyter.py add this directory to
JUPYTER_CONFIG_PATH, so they apply on top of the user's own configuration (which wins where both set
something).

Opening a notebook makes JupyterLab copy the running kernel's `language_info` into the notebook's
metadata, and the next save (or autosave) writes it, Python version included. The notebooks are stored
without the version (scripts/run_notebooks.py drops it, tests/test_notebooks.py checks), so without this
hook merely opening a chapter would leave a changed file (a diff in the student's clone).
Everything else JupyterLab writes on a save is what is stored already (tests/test_live_jupyter.py saves
a chapter and compares the bytes).
"""

import warnings

MACHINE_METADATA = {"language_info": ("version",)}  # notebook metadata that differs between machines


def drop_machine_metadata(model, **kwargs):
    """ContentsManager pre-save hook: drop the Python version from a notebook about to be saved."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    metadata = model["content"].get("metadata", {})
    for section, keys in MACHINE_METADATA.items():
        for key in keys:
            if isinstance(metadata.get(section), dict):
                metadata[section].pop(key, None)


c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)
c.ContentsManager.pre_save_hook = drop_machine_metadata
# The server applies its configuration twice (again when it links JupyterLab) and would warn, at every start,
# that this hook replaces itself. (A pre_save_hook in the user's own configuration replaces this one.)
warnings.filterwarnings("ignore", message=r"Overriding existing pre_save_hook \(drop_machine_metadata\) "
                        r"with a new one \(drop_machine_metadata\)")
