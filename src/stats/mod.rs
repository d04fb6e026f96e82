//! Special functions, estimators and the isoperimetric bound.
