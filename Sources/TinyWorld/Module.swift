// The tiny world of the lessons.
