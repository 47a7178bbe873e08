package web

func (s *Server) intakeRoutes() {}
