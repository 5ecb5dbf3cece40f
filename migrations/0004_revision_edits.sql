-- What a saved revision did to the suggestions it was shown: which model or lexicon
-- suggested them and which the user removed (kept, changed and added spans carry
-- their own "edit" in spans.meta).

ALTER TABLE annotations ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
