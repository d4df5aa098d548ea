"""Errors a user can cause in model work: bad corpus files, corrupt model folders, bad options."""


class ClassifierError(Exception):
    """Base class: the message is one line saying what is wrong and what to do."""


class CorpusError(ClassifierError):
    """A labelled corpus cannot be read or has the wrong shape."""


class ModelFolderError(ClassifierError):
    """A model folder is missing files, corrupt, or from an incompatible version."""


class DatasetError(ClassifierError):
    """A dataset download failed or its file does not match the published checksum."""
