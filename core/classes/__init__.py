"""Training classes (定向培训): the Annex 3 fields and their checks (``checks``), the class
with its teaching plan and roster (``records``) and its status with the allowed moves
(``status``)."""
